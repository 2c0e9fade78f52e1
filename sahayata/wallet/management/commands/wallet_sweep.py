"""``manage.py wallet_sweep``: void the holds past their timeout (safe to run concurrently)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.wallet.services import holds_expire


class Command(BaseCommand):
    help = "Void expired holds, giving the money back to the wallets. Safe to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="Holds per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while True:
            voided = holds_expire(limit=options["limit"])
            total += voided
            if voided < options["limit"]:
                break
        self.stdout.write(f"Voided {total} expired hold(s)")
