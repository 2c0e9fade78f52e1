"""Load the demo data, idempotently: a second run adds nothing twice.

Each part of the domain seeds its own data in ``<app>/demo.py`` through its services;
this command runs them in dependency order and prints the demo logins.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Order matters: places before people, the catalogue before applications, and so on.
DEMO_MODULES = [
    "sahayata.places.demo",
    "sahayata.catalogue.demo",
    "sahayata.people.demo",
    "sahayata.wallet.demo",
    "sahayata.applications.demo",
    "sahayata.simulator.demo",
    "sahayata.ledgerlog.demo",
]

SIMULATED_ONLY = (
    "seed_demo loads demo logins with a public password and runs only on a simulated "
    "deployment: set SAHAYATA_SIMULATED=1 (on by default only with DEBUG=1)."
)


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo logins share a public password: never on a real deployment.
        if not settings.SAHAYATA_SIMULATED:
            raise CommandError(SIMULATED_ONLY)
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue  # that part of the domain has no demo data (yet)
            module.seed_demo(stdout=self.stdout, quiet=options["quiet"])
