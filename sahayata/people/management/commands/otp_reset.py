"""Reset a user's two-factor login from the shell (the last administrator lost a phone)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sahayata.people.models import User
from sahayata.people.twofactor import otp_devices_reset


class Command(BaseCommand):
    help = "Delete a user's authenticator and recovery codes: the next login sets them up."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']}.")
        otp_devices_reset(user=user, actor=None)
        self.stdout.write(f"Two-factor login of {user.username} reset (audited).")
