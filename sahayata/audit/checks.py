"""``audit_verify``'s checks: every stored event re-hashed and the chain re-derived from the
latest checkpoint (or the genesis) to the seal head. Reads only (unless asked to seal).

An edited row no longer matches its content hash; a deleted one leaves a gap in the seal
numbers (or the head no longer matches); re-ordered rows break the chain or the id order.

Someone who may write to the database can cover all of that up: re-hash the edited row,
re-chain to the end and move the head, or delete the last rows and reset the head (or
forge a checkpoint that "prunes" everything). So the trail is also checked against every
head the sealer published outside the database (``ledgerlog.published``, signed by the
log key): the chain re-derived at each head's number must be the published hash (else a
rewrite), must reach it (else a truncation), and the checkpoint it resumes from must be
one that was published (else a forgery).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from sahayata.audit import rules
from sahayata.audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from sahayata.core import chain
from sahayata.ledgerlog import published
from sahayata.ledgerlog.signing import LOG_KEYRING, signature_valid

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


def _published_heads(problems: list[Problem]) -> list[dict[str, Any]]:
    """The audit heads published outside the database whose signatures hold."""
    heads, unreadable = published.audit_heads_read()
    for name in unreadable:
        problems.append(Problem("published", f"published file {name} is no signed audit head"))
    keys = dict(LOG_KEYRING.published_keys())
    genuine = []
    for head in heads:
        message = published.audit_message(
            seal_seq=head["seal_seq"],
            chain_hash=head["chain_hash"],
            sealed_at=head["sealed_at"],
            checkpoint_seq=head["checkpoint_seq"],
            checkpoint_hash=head["checkpoint_hash"],
        )
        if signature_valid(keys.get(head["key_id"]), head["signature"], message):
            genuine.append(head)
        else:
            problems.append(
                Problem("published", f"published audit head {head['seal_seq']} is not signed")
            )
    return genuine


def _check_published(
    heads: list[dict[str, Any]],
    start: tuple[int, str],
    end: chain.Walk,
    marks: dict[int, str],
    problems: list[Problem],
) -> None:
    if (
        heads
        and start[0]
        and not any((head["checkpoint_seq"], head["checkpoint_hash"]) == start for head in heads)
    ):
        problems.append(
            Problem(
                "published",
                f"the checkpoint through seal {start[0]} was never published: "
                "events were deleted behind a forged checkpoint",
            )
        )
    for head in heads:
        seq = head["seal_seq"]
        if seq < start[0]:
            continue  # pruned behind the checkpoint (itself checked above)
        derived = start[1] if seq == start[0] else marks.get(seq)
        if seq > end.last_seq or derived is None:
            problems.append(
                Problem(
                    "published",
                    f"a head published outside the database anchors seal {seq}, the trail "
                    f"reaches {end.last_seq}: sealed events were deleted",
                )
            )
        elif derived != head["chain_hash"]:
            problems.append(
                Problem(
                    "published",
                    f"the chain at seal {seq} is not the one published outside the "
                    "database: sealed events were rewritten",
                )
            )


def audit_problems() -> list[Problem]:
    """Everything wrong with the stored trail (an empty list: it verifies)."""
    problems: list[Problem] = []
    start = AuditCheckpoint.objects.order_by("-through_seq").first()
    start_seq = start.through_seq if start else 0
    start_hash = start.through_hash if start else chain.GENESIS_HASH
    heads = _published_heads(problems)
    marks: dict[int, str] = {head["seal_seq"]: "" for head in heads}
    rows = (
        AuditEvent.objects.filter(seal_seq__gt=start_seq)
        | AuditEvent.objects.filter(seal_seq__isnull=True)
    ).order_by(F("seal_seq").asc(nulls_last=True), "id")
    end = chain.Walk(start_seq, start_hash)
    walked = _walked(rows.values(*_FIELDS).iterator(chunk_size=2000), problems)
    walking = chain.walk(walked, start_seq=start_seq, start_hash=start_hash, end=end, marks=marks)
    for found in walking:
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
    derived = {seq: value for seq, value in marks.items() if value}
    _check_published(heads, (start_seq, start_hash), end, derived, problems)
    return problems
