"""manage.py permissions_doc [--check] [--output PATH]: PERMISSIONS.md from people.policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sahayata.people import policy


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "PERMISSIONS.md"


class Command(BaseCommand):
    help = (
        "Write PERMISSIONS.md, the permission table of people.policy (every role against "
        "every action, and the action of every endpoint). --check exits 1 when the file "
        "differs from the table, as makemigrations --check does for the models."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare; write nothing")
        parser.add_argument("--output", type=Path, default=None, help="Default: PERMISSIONS.md")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or default_path()
        text = policy.markdown()
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(
                    f"{path} differs from people.policy: run manage.py permissions_doc"
                )
            self.stdout.write(f"{path.name} is up to date.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
