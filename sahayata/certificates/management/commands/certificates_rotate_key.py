"""``manage.py certificates_rotate_key``: retire the signing key, start a new one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sahayata.certificates.signing import keyring_dir, signing_key_rotate


class Command(BaseCommand):
    help = (
        "Move the current certificate-signing public key to the keyring (old certificates "
        "keep verifying) and generate a new private key. Restart the web processes after."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        retired, current = signing_key_rotate()
        self.stdout.write(
            f"retired {retired} (kept in {keyring_dir()}); now signing with {current}"
        )
