"""Settle adapter calls left open by a crash or an outage (idempotent by reference)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.applications.dispatch import integrations_reconcile


class Command(BaseCommand):
    help = "Ask back ends about every open call older than --grace seconds and settle it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace", type=int, default=60, help="Seconds (default 60).")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = integrations_reconcile(older_than_seconds=options["grace"])
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
