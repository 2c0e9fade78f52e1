"""Recompute the rollups from the ledger and the applications; exit 1 on any difference."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.transparency.checks import transparency_check


class Command(BaseCommand):
    help = "Compare the transparency rollups with the ledger and applications; exit 0 if equal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-apply",
            action="store_true",
            help="Do not fold waiting outbox events first (they then count as differences).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = transparency_check(apply_waiting=not options["no_apply"])
        seconds = time.monotonic() - started
        for (
            grain,
            period,
            district,
            department,
            service,
        ), metric, want, have in report.differences:
            self.stderr.write(
                f"DIFF {grain} {period} district={district} department={department} "
                f"service={service} {metric}: ledger/applications {want}, rollup {have}"
            )
        if report.orphan_payments:
            self.stderr.write(
                f"DIFF {report.orphan_payments} posted service_fee references match no application"
            )
        if not report.ok:
            self.stderr.write(
                f"transparency_check FAILED: {report.difference_count} differences in "
                f"{report.cells_compared} cells ({seconds:.1f} s)"
            )
            raise SystemExit(1)
        self.stdout.write(
            f"transparency_check OK: {report.cells_compared} rollup cells equal the ledger "
            f"and applications ({seconds:.1f} s)"
        )
