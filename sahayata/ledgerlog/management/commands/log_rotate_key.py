"""``manage.py log_rotate_key``: retire the log's signing key, start a new one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sahayata.ledgerlog.signing import LOG_KEYRING


class Command(BaseCommand):
    help = (
        "Move the transparency log's current public key to its keyring (old heads keep "
        "verifying) and generate a new private key. Restart the web processes after."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        retired, current = LOG_KEYRING.rotate()
        self.stdout.write(
            f"retired {retired} (kept in {LOG_KEYRING.keyring_dir()}); now signing with {current}"
        )
