"""``manage.py audit_verify``: seal new audit events, then check the whole trail; exit 1 on
any edited, deleted or re-ordered event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sahayata.audit.checks import audit_problems
from sahayata.audit.models import AuditEvent
from sahayata.audit.services import audit_seal


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 on an edited, deleted or re-ordered event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seal", action="store_true", help="check only, seal nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = 0 if options["no_seal"] else audit_seal(publish=False)
        problems = audit_problems()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"audit trail FAILED: {len(problems)} problem(s); the trail was tampered with",
                returncode=1,
            )
        total = AuditEvent.objects.count()
        self.stdout.write(f"audit trail OK: {total} events verified, {sealed} newly sealed")
