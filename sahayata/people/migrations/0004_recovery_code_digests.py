"""Recovery codes stored as keyed digests (``people.twofactor.recovery_code_digest``):
the plain codes stored before are replaced by their digests, so they keep working."""

import re

from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "sahayata.people.recovery-code"


def digest(user_id, code):  # type: ignore[no-untyped-def]
    """``recovery_code_digest`` as it was written with this migration (frozen here; a test
    holds the two equal)."""
    normalised = re.sub(r"[\s-]", "", code or "").lower()[:32]
    value = f"{user_id}:{normalised}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:16]


def digest_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    static_token = apps.get_model("otp_static", "StaticToken")
    for token in static_token.objects.select_related("device").iterator():
        token.token = digest(token.device.user_id, token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_citizen_public_id"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Backwards is a no-op: a digest cannot be turned back into its code (reset the devices).
    operations = [migrations.RunPython(digest_existing, migrations.RunPython.noop)]
