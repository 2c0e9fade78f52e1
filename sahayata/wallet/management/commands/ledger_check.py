"""``manage.py ledger_check``: seal new transfers, verify the ledger, its top-ups and the
applications' fees, and the transparency log's heads (those in the database and those
published outside it) against it; exit 1 on any violation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sahayata.site.checks import ledger_checks
from sahayata.wallet.models import Account, Transfer

CHECKS = {
    "debits_equal_credits": "total debits equal total credits",
    "account_matches_transfers": "each account's stored balance equals the sum of its transfers",
    "no_negative_account": "no limited account is negative",
    "hold_resolved_once": "every hold was resolved at most once",
    "hash_chain": "the hash chain is intact",
    "topups_match_transfers": "every top-up is its transfer: amount, wallet, state",
    "application_fees_match_holds": "every application's fee lines are its holds, posts, voids",
    "transparency_log": "every signed head of the transparency log is the ledger's",
    "published_heads": "every head published outside the database is of this ledger, to its end",
}


class Command(BaseCommand):
    help = "Verify the ledger's invariants; exit 0 only if all hold."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-seal", action="store_true", help="Verify only; do not seal new transfers first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        violations = ledger_checks(seal=not options["no_seal"])
        self.stdout.write(
            f"Ledger: {Account.objects.count()} accounts, {Transfer.objects.count()} transfers"
        )
        failed = {violation.check for violation in violations}
        for check, label in CHECKS.items():
            mark = "FAIL" if check in failed else "ok  "
            self.stdout.write(f"  {mark} {label}")
        for violation in violations[:200]:
            self.stdout.write(self.style.ERROR(f"    {violation}"))
        if len(violations) > 200:
            self.stdout.write(self.style.ERROR(f"    … and {len(violations) - 200} more"))
        if violations:
            raise CommandError(f"ledger_check found {len(violations)} violation(s)")
        self.stdout.write(self.style.SUCCESS("Ledger OK"))
