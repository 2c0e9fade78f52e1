"""manage.py add_user USERNAME --role ROLE [--centre CODE] [--department CODE] [--district CODE]"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from sahayata.catalogue.models import Department
from sahayata.core.errors import DomainError
from sahayata.people.models import Role
from sahayata.people.services import user_create
from sahayata.places.models import Centre, District


class Command(BaseCommand):
    help = (
        "Create a staff user with one role. operator and supervisor need --centre, officer "
        "needs --department, district needs --district. Prompts for the password unless "
        "--password is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--centre", metavar="CODE", help="Centre code, e.g. KOL0001")
        parser.add_argument("--department", metavar="CODE", help="Department code, e.g. LLR")
        parser.add_argument("--district", metavar="CODE", help="District code, e.g. HWH")
        parser.add_argument("--password", help="The password (prompted for when left out)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        # Operations messages are in English, whatever the site's default language.
        with translation.override("en"):
            self._create(options)

    def _create(self, options: dict[str, Any]) -> None:
        centre = department = district = None
        if options["centre"]:
            centre = Centre.objects.filter(code=options["centre"]).first()
            if centre is None:
                raise CommandError(f"No centre has the code {options['centre']!r}.")
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(f"No department has the code {options['department']!r}.")
        if options["district"]:
            district = District.objects.filter(code=options["district"]).first()
            if district is None:
                raise CommandError(f"No district has the code {options['district']!r}.")
        password = options["password"]
        if password is None:
            password = self._prompt_password()
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                password=password,
                centre=centre,
                department=department,
                district=district,
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except DomainError as exc:
            problems = exc.details.get("problems") if exc.details else None
            extra = f" ({'; '.join(problems)})" if problems else ""
            raise CommandError(f"{exc.message}{extra} [{exc.code}]") from None
        where = user.centre or user.department or user.district
        self.stdout.write(
            f"Created {user.username} ({user.role}{f', {where.code}' if where else ''})."
        )

    def _prompt_password(self) -> str:
        for _attempt in range(3):
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The passwords do not match or are empty; try again.")
        raise CommandError("No password given.")
