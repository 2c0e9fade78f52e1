"""A random public id for every citizen (existing rows get one each), and the centre
where a citizen was registered (unknown, so empty, for existing rows)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def fill_public_ids(apps, schema_editor):  # type: ignore[no-untyped-def]
    Citizen = apps.get_model("people", "Citizen")
    batch = []
    for citizen in Citizen.objects.only("pk").iterator(chunk_size=2000):
        citizen.public_id = uuid.uuid4()
        batch.append(citizen)
        if len(batch) >= 2000:
            Citizen.objects.bulk_update(batch, ["public_id"])
            batch = []
    if batch:
        Citizen.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_apitoken_expires_at"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="citizen",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="citizen",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
        migrations.AddField(
            model_name="citizen",
            name="registered_centre",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.centre",
                verbose_name="registered at centre",
            ),
        ),
    ]
