"""manage.py create_api_token USERNAME [--days N]: prints a new bearer token alone on its
last line; it expires after N days (SAHAYATA_API_TOKEN_DAYS, 90, by default)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sahayata.people.models import User
from sahayata.people.tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (shown once; only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until the token expires (default: SAHAYATA_API_TOKEN_DAYS, 90).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.username} is not active.")
        days = options["days"] if options["days"] is not None else settings.SAHAYATA_API_TOKEN_DAYS
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        token = api_token_create(user=user, lifetime=dt.timedelta(days=days))
        self.stderr.write(
            f"API token for {user.username} ({user.role}), valid {days} days; "
            "it is shown only once:"
        )
        self.stdout.write(token)
