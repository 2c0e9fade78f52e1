"""manage.py create_api_token USERNAME: prints a new bearer token alone on its last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sahayata.people.models import User
from sahayata.people.tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (shown once; only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.username} is not active.")
        token = api_token_create(user=user)
        self.stderr.write(f"API token for {user.username} ({user.role}); it is shown only once:")
        self.stdout.write(token)
