"""``manage.py audit_prune [--days N]``: delete sealed audit events older than the retention
period (``SAHAYATA_AUDIT_RETENTION_DAYS``, 365 by default), keeping a checkpoint of the
pruned prefix's head so that ``audit_verify`` still verifies what is left."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sahayata.audit.services import audit_prune


class Command(BaseCommand):
    help = "Delete sealed audit events past the retention period, keeping a checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="retention in days")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_prune(retention_days=options["days"])
        if result.checkpoint is None:
            self.stdout.write("nothing to prune")
            return
        self.stdout.write(
            f"pruned {result.deleted} events through seal {result.checkpoint.through_seq}; "
            f"checkpoint {result.checkpoint.through_hash}"
        )
