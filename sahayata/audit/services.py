"""Writes of the audit trail: an event per write, in the writer's transaction; the sealer
that chains them in batches; retention.

``event_record`` is called by every service that writes (and by the admin's
``AuditedModelAdmin``), inside its ``transaction.atomic``: when the write rolls back, so
does its event. ``events_record_batch`` does the same for the batch paths in one insert.
``audit_seal`` (a periodic job) chains unsealed events in id order, as ``ledger_seal``
chains transfers, then publishes the signed head outside the database
(``ledgerlog.published``, as the ledger's heads are), so that a database writer who
rewrites or truncates the chain and moves the head is still caught. ``audit_prune``
deletes sealed events older than the retention period, after recording the head of what
it deletes (``AuditCheckpoint``), and publishes that checkpoint with the head.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sahayata.audit import rules
from sahayata.audit.context import current_origin
from sahayata.audit.models import ActorKind, AuditCheckpoint, AuditEvent, AuditSeal
from sahayata.core import chain, dialect
from sahayata.core.requestid import current_request_id
from sahayata.ledgerlog import published
from sahayata.ledgerlog.signing import head_sign

SYSTEM_LABEL = "system/worker"


@dataclass(frozen=True)
class Actor:
    """A staff user as the batch paths know one (id, username, role), without its row."""

    pk: int
    username: str
    role: str


@dataclass(frozen=True)
class EventSpec:
    """One event of a batch: what was done to which object, by whom (None: the system)."""

    action: str
    object_type: str
    object_id: str | int | uuid.UUID
    actor: Any = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    actor_label: str = ""
    at: dt.datetime | None = None


def _actor_fields(actor: Any, actor_label: str) -> dict[str, Any]:
    origin = current_origin()
    if actor is not None and getattr(actor, "pk", None) is not None:
        by_token = origin.api_token_id is not None
        return {
            "actor_kind": ActorKind.TOKEN if by_token else ActorKind.USER,
            "actor_user_id": actor.pk,
            "actor_username": str(getattr(actor, "username", ""))[:150],
            "actor_role": str(getattr(actor, "role", "") or "")[:20],
            "api_token_id": origin.api_token_id,
            "actor_label": actor_label[:60],
        }
    return {
        "actor_kind": ActorKind.SYSTEM,
        "actor_user_id": None,
        "actor_username": "",
        "actor_role": "",
        "api_token_id": None,
        "actor_label": (actor_label or origin.worker or SYSTEM_LABEL)[:60],
    }


def _event(spec: EventSpec, now: dt.datetime) -> AuditEvent:
    origin = current_origin()
    request_id = current_request_id()
    return AuditEvent(
        at=spec.at or now,
        action=spec.action,
        object_type=spec.object_type,
        object_id=str(spec.object_id),
        ip=origin.ip,
        request_id="" if request_id == "-" else request_id,
        before=rules.scrub(spec.before) if spec.before is not None else None,
        after=rules.scrub(spec.after) if spec.after is not None else None,
        **_actor_fields(spec.actor, spec.actor_label),
    )


def _in_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are written inside the caller's transaction")


def event_record(
    *,
    action: str,
    object_type: str,
    object_id: str | int | uuid.UUID,
    actor: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor_label: str = "",
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Record one write in the caller's transaction. ``actor`` is the staff user who made
    it (None: the system, labelled ``actor_label`` or the running job)."""
    _in_transaction()
    spec = EventSpec(action, object_type, object_id, actor, before, after, actor_label, at)
    event = _event(spec, timezone.now())
    event.save(force_insert=True)
    return event


# Events gathered by ``events_gathered`` (None: none is open): written with the next batch.
_gathered: ContextVar[list[EventSpec] | None] = ContextVar("sahayata_audit_gathered", default=None)


@contextmanager
def events_gathered() -> Iterator[None]:
    """Inside, ``event_record_soon`` gathers its events instead of writing each: they go
    in the same insert as the next ``events_record_batch`` (in the order recorded), or at
    the end of the block if none comes. The block must be inside the caller's transaction;
    on an error nothing gathered is written (the transaction is rolled back anyway)."""
    gathered: list[EventSpec] = []
    token = _gathered.set(gathered)
    try:
        yield
        if gathered:
            events_record_batch(events=())
    finally:
        _gathered.reset(token)


def event_record_soon(
    *,
    action: str,
    object_type: str,
    object_id: str | int | uuid.UUID,
    actor: Any = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """``event_record``, gathered when an ``events_gathered`` block is open (one statement
    fewer), written at once otherwise; the event's time is now either way."""
    gathered = _gathered.get()
    if gathered is None:
        event_record(
            action=action, object_type=object_type, object_id=object_id, actor=actor, after=after
        )
        return
    _in_transaction()
    gathered.append(
        EventSpec(action, object_type, object_id, actor, None, after, "", timezone.now())
    )


_ACTOR_COLUMNS = rules.ACTOR_FIELDS
# The hashed fields but the id (the database numbers the rows), then the empty seal.
_BATCH_COLUMNS = (
    *(name for name in rules.HASHED_FIELDS if name != "id"),
    "content_hash",
    "chain_hash",
)


class _JsonTexts:
    """Scrubbed canonical JSON of before/after values, each distinct flat value made once
    (a batch repeats the same few status changes thousands of times)."""

    def __init__(self) -> None:
        self.made: dict[Any, str] = {}

    def __call__(self, value: Mapping[str, Any] | None) -> str | None:
        if value is None:
            return None
        try:
            key = tuple(value.items())
            hash(key)
        except TypeError:  # nested values: not worth a key
            return chain.canonical_json(rules.scrub(value))
        if key not in self.made:
            self.made[key] = chain.canonical_json(rules.scrub(value))
        return self.made[key]


def events_record_batch(*, events: Sequence[EventSpec]) -> int:
    """Record many writes of a batch path in one insert, in the caller's transaction: the
    same values as ``event_record``, built as rows (no model instances: the simulator
    writes one per application and step); with the events gathered before it, if any."""
    gathered = _gathered.get()
    if gathered:
        events = [*gathered, *events]
        gathered.clear()
    if not events:
        return 0
    _in_transaction()
    now = timezone.now()
    origin = current_origin()
    request_id = current_request_id()
    request_id = "" if request_id == "-" else request_id
    adapt = connection.ops.adapt_datetimefield_value
    times: dict[dt.datetime, Any] = {}
    actors: dict[tuple[Any, str], tuple[Any, ...]] = {}
    texts = _JsonTexts()
    rows = []
    for spec in events:
        at = spec.at or now
        if at not in times:
            times[at] = adapt(at)
        key = (getattr(spec.actor, "pk", None), spec.actor_label)
        if key not in actors:
            fields = _actor_fields(spec.actor, spec.actor_label)
            actors[key] = tuple(fields[name] for name in _ACTOR_COLUMNS)
        before, after = texts(spec.before), texts(spec.after)
        rows.append(
            (
                times[at],
                *actors[key],
                spec.action,
                spec.object_type,
                str(spec.object_id),
                origin.ip,
                request_id,
                before,
                after,
                "",
                "",
            )
        )
    return dialect.rows_insert(AuditEvent, _BATCH_COLUMNS, rows)


# --- sealing ---------------------------------------------------------------------------------


def _seal_head() -> AuditSeal:
    AuditSeal.objects.get_or_create(pk=1, defaults={"last_hash": chain.GENESIS_HASH})
    return AuditSeal.objects.select_for_update().get(pk=1)


def _head_publish(head: AuditSeal) -> None:
    """Sign the locked ``head`` with the latest checkpoint and write it outside the
    database once the caller's transaction commits (a rolled-back head would look like a
    truncation)."""
    start = AuditCheckpoint.objects.order_by("-through_seq").first()
    sealed_at = (head.sealed_at or timezone.now()).isoformat(timespec="seconds")
    signed: dict[str, Any] = {
        "seal_seq": head.last_seq,
        "chain_hash": head.last_hash,
        "sealed_at": sealed_at,
        "checkpoint_seq": start.through_seq if start else 0,
        "checkpoint_hash": start.through_hash if start else chain.GENESIS_HASH,
    }
    key_id, signature = head_sign(published.audit_message(**signed))
    outside = {**signed, "key_id": key_id, "signature": signature}
    head.published_seq = head.last_seq
    head.save(update_fields=["published_seq"])
    transaction.on_commit(lambda: published.audit_head_write(outside))


def audit_seal(
    *, batch_size: int = 5000, max_batches: int | None = None, publish: bool = True
) -> int:
    """Chain every committed, unsealed event in id order; return how many were sealed.
    With ``publish``, a head not published yet is then published (``audit_verify`` seals
    without publishing: it must not publish the head of a trail it has not verified)."""
    sealed = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            head = _seal_head()
            rows = list(
                AuditEvent.objects.filter(seal_seq__isnull=True)
                .order_by("id")
                .values(*rules.HASHED_FIELDS)[:batch_size]
            )
            if not rows:
                break
            contents = {row["id"]: rules.event_content_hash(row) for row in rows}
            result = chain.link(contents.items(), last_seq=head.last_seq, last_hash=head.last_hash)
            dialect.rows_update_each(
                AuditEvent,
                ("content_hash", "seal_seq", "chain_hash"),
                [(contents[key], seq, hashed, key) for seq, hashed, key in result.updates],
                where_null=("seal_seq",),
            )
            head.last_seq, head.last_hash = result.last_seq, result.last_hash
            head.sealed_at = timezone.now()
            head.save(update_fields=["last_seq", "last_hash", "sealed_at"])
        sealed += len(rows)
        batches += 1
    if publish:  # once per run, not per batch: the job runs every minute
        with transaction.atomic():
            head = _seal_head()
            if head.last_seq > head.published_seq:
                _head_publish(head)
    return sealed


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pruned:
    deleted: int
    checkpoint: AuditCheckpoint | None


def audit_prune(*, retention_days: int | None = None, now: dt.datetime | None = None) -> Pruned:
    """Delete the sealed events older than ``retention_days`` (default
    ``SAHAYATA_AUDIT_RETENTION_DAYS``), oldest first and only as a prefix of the chain,
    after recording its head as a checkpoint from which ``audit_verify`` resumes."""
    days = settings.SAHAYATA_AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    if days < 1:
        raise ValueError("retention_days must be at least 1")
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    audit_seal(publish=False)  # the checkpoint's head is published below
    with transaction.atomic():
        head = _seal_head()  # locks out a concurrent sealer or pruner
        first_kept = (
            AuditEvent.objects.filter(seal_seq__isnull=False, at__gte=cutoff)
            .order_by("seal_seq")
            .values_list("seal_seq", flat=True)
            .first()
        )
        through = head.last_seq if first_kept is None else first_kept - 1
        start = AuditCheckpoint.objects.order_by("-through_seq").first()
        if through <= (start.through_seq if start else 0):
            return Pruned(0, None)
        last = AuditEvent.objects.values("chain_hash", "at").get(seal_seq=through)
        checkpoint = AuditCheckpoint(
            through_seq=through,
            through_hash=last["chain_hash"],
            through_at=last["at"],
            pruned=0,
            retention_days=days,
            created_at=now,
        )
        ids = list(AuditEvent.objects.filter(seal_seq__lte=through).values_list("id", flat=True))
        checkpoint.pruned = len(ids)
        checkpoint.save(force_insert=True)
        deleted = dialect.rows_delete(AuditEvent, "id", ids)
        # Published with the head, or audit_verify could not tell it from a forged one.
        _head_publish(head)
    return Pruned(deleted, checkpoint)
