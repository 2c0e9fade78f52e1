"""``audit_verify``'s checks: every stored event re-hashed and the chain re-derived from the
latest checkpoint (or the genesis) to the seal head. Reads only (unless asked to seal).

An edited row no longer matches its content hash; a deleted one leaves a gap in the seal
numbers (or the head no longer matches); re-ordered rows break the chain or the id order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import F

from sahayata.audit import rules
from sahayata.audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from sahayata.core import chain

_FIELDS = (*rules.HASHED_FIELDS, "content_hash", "seal_seq", "chain_hash")


@dataclass(frozen=True)
class Problem:
    check: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.detail}"


def _walked(rows: Iterable[dict], problems: list[Problem]) -> Iterator[tuple]:
    last_id = None
    for row in rows:
        seq = row["seal_seq"]
        if seq is not None and last_id is not None and row["id"] < last_id:
            problems.append(Problem("order", f"event {row['id']} (seal {seq}) is out of id order"))
        if seq is not None:
            last_id = row["id"]
        recomputed = rules.event_content_hash(row) if seq is not None else ""
        yield row["id"], recomputed, row["content_hash"], seq, row["chain_hash"]


def audit_problems() -> list[Problem]:
    """Everything wrong with the stored trail (an empty list: it verifies)."""
    problems: list[Problem] = []
    start = AuditCheckpoint.objects.order_by("-through_seq").first()
    start_seq = start.through_seq if start else 0
    start_hash = start.through_hash if start else chain.GENESIS_HASH
    rows = (
        AuditEvent.objects.filter(seal_seq__gt=start_seq)
        | AuditEvent.objects.filter(seal_seq__isnull=True)
    ).order_by(F("seal_seq").asc(nulls_last=True), "id")
    end = chain.Walk(start_seq, start_hash)
    walked = _walked(rows.values(*_FIELDS).iterator(chunk_size=2000), problems)
    for found in chain.walk(walked, start_seq=start_seq, start_hash=start_hash, end=end):
        if found.kind == "altered":
            detail = f"event {found.key} (seal {found.seq}) was edited after it was sealed"
        elif found.kind == "missing":
            detail = f"{found.detail}: deleted before event {found.key}"
        else:
            detail = f"{found.detail} (event {found.key}): rows re-ordered or replaced"
        problems.append(Problem(found.kind, detail))
    leftover = AuditEvent.objects.filter(seal_seq__lte=start_seq).count() if start else 0
    if leftover:
        problems.append(
            Problem("checkpoint", f"{leftover} events at or before checkpoint {start_seq} remain")
        )
    head = AuditSeal.objects.filter(pk=1).first()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else chain.GENESIS_HASH
    if (head_seq, head_hash) != (end.last_seq, end.last_hash) and (head or end.last_seq):
        problems.append(
            Problem(
                "head",
                f"the seal head says {head_seq} events, the chain reaches {end.last_seq}: "
                "sealed events were deleted or the head was changed",
            )
        )
    return problems
