"""What a database superuser can do to the audit trail: drop its triggers and write
directly. The tamper tests use it; so does the flush after a transactional test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from sahayata.audit import rules
from sahayata.audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from sahayata.core import chain, dialect


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


def rechain_from(seq: int) -> None:
    """Cover up an edit as a superuser would: recompute the content hash of every sealed
    event from ``seq`` on, re-chain them to the end and move the seal head to match."""
    previous = (
        AuditEvent.objects.filter(seal_seq=seq - 1).values_list("chain_hash", flat=True).first()
        or chain.GENESIS_HASH
    )
    rows = (
        AuditEvent.objects.filter(seal_seq__gte=seq)
        .order_by("seal_seq")
        .values(*rules.HASHED_FIELDS, "seal_seq")
    )
    last = seq - 1
    with triggers_dropped():
        for row in list(rows):
            content = rules.event_content_hash(row)
            previous = chain.chain_hash(previous, content, row["seal_seq"])
            last = row["seal_seq"]
            execute(
                "UPDATE audit_auditevent SET content_hash = %s, chain_hash = %s WHERE id = %s",
                [content, previous, row["id"]],
            )
    AuditSeal.objects.filter(pk=1).update(last_seq=last, last_hash=previous)


def truncate_to(seq: int) -> None:
    """Delete every sealed event after ``seq`` and reset the seal head to it."""
    head = AuditEvent.objects.filter(seal_seq=seq).values_list("chain_hash", flat=True).first()
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE seal_seq > %s", [seq])
    AuditSeal.objects.filter(pk=1).update(
        last_seq=seq, last_hash=head or chain.GENESIS_HASH, published_seq=seq
    )
