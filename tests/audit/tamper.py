"""What a database superuser can do to the audit trail: drop its triggers and write
directly. The tamper tests use it; so does the flush after a transactional test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from sahayata.audit.models import AuditCheckpoint, AuditEvent
from sahayata.core import dialect


def _install() -> None:
    dialect.append_only_install(
        AuditEvent,
        seal_columns=AuditEvent.SEAL_COLUMNS,
        seq_column="seal_seq",
        pruned_through=(AuditCheckpoint, "through_seq"),
    )
    dialect.append_only_install(AuditCheckpoint)


@contextmanager
def triggers_dropped() -> Iterator[None]:
    dialect.append_only_drop(AuditEvent)
    dialect.append_only_drop(AuditCheckpoint)
    try:
        yield
    finally:
        _install()


def execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def audit_rows_clear() -> None:
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent")
        execute("DELETE FROM audit_auditcheckpoint")
