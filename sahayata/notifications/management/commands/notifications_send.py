"""Send the notifications still waiting in the outbox (after a crash or an outage)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.notifications.services import notifications_send


class Command(BaseCommand):
    help = "Send pending SMS and e-mail notifications from the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        sent = notifications_send(limit=options["limit"])
        self.stdout.write(f"sent {sent}")
