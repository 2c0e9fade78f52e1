"""``manage.py log_publish``: append what the ledger posted, then sign and publish a head."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sahayata.ledgerlog.services import log_publish


class Command(BaseCommand):
    help = (
        "Seal the ledger, append every posted transfer to the transparency log and publish a "
        "signed tree head of everything so far (none when nothing is new)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        head, new = log_publish()
        if head is None:
            self.stdout.write("log_publish: nothing posted yet, no head")
            return
        what = "published" if new else "nothing new; latest"
        self.stdout.write(
            f"log_publish: {what} head of {head.tree_size} leaves, root {head.root_hash}"
            f" at {head.timestamp}, key {head.key_id}"
        )
