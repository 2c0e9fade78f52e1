"""Fold the waiting rollup events (the outbox) into the transparency rollups."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.transparency.services import rollups_apply_all


class Command(BaseCommand):
    help = "Fold waiting rollup events into the rollups and record milestones, exactly once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=10_000, help="Events per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        folded = rollups_apply_all(limit=options["batch"])
        self.stdout.write(f"{folded} events folded")
