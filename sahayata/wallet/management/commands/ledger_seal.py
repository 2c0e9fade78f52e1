"""``manage.py ledger_seal``: hash-chain the committed transfers that are not sealed yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.wallet.ledger import ledger_seal


class Command(BaseCommand):
    help = "Chain committed, unsealed transfers in batches (run it often; ledger_check runs it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = ledger_seal(batch_size=options["batch_size"])
        self.stdout.write(f"Sealed {sealed} transfer(s)")
