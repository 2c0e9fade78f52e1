"""Flag open applications past their RTPS due date. Safe to run again: each is flagged once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.applications.services import applications_escalate_overdue


class Command(BaseCommand):
    help = "Flag overdue applications (RTPS) and notify; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = applications_escalate_overdue(today=options["today"])
        self.stdout.write(f"flagged {flagged}")
