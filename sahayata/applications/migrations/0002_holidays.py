"""Seed the West Bengal public holidays of 2025 and 2026 (editable in the admin)."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from sahayata.applications.holiday_data import HOLIDAYS

    Holiday = apps.get_model("applications", "Holiday")
    for iso, name_en, name_bn in HOLIDAYS:
        Holiday.objects.get_or_create(
            date=datetime.date.fromisoformat(iso),
            defaults={"name_en": name_en, "name_bn": name_bn},
        )


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
