"""Hash chains sealed in batches: the one recipe the wallet's ledger and the audit trail share.

A row's *content hash* is SHA-256 of its fields in a fixed order, each in a canonical text
form (``canonical``), joined by the unit separator. A sealer takes unsealed rows in order
and gives each the next sequence number and ``chain = H(previous chain, seq, content)``
(``link``), starting from ``GENESIS_HASH`` or a recorded checkpoint. ``walk`` re-derives
the chain from stored rows and reports every edited, missing or re-ordered one.
No ORM here: callers read and write their own tables.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

GENESIS_HASH = "0" * 64
SEPARATOR = "\x1f"  # ASCII unit separator: never in a canonical part
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch: an exact, backend-independent form of a time."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same text for the same value, whichever
    database stored it (PostgreSQL's jsonb reorders keys)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """One field's canonical text: empty for None, microseconds for a time, JSON for
    containers, ``str`` for the rest (ints, strings, UUIDs)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return str(micros(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple | bool):
        return canonical_json(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def digest(parts: Sequence[str]) -> str:
    """SHA-256 of already canonical ``parts``: a row's content hash."""
    return hashlib.sha256(SEPARATOR.join(parts).encode()).hexdigest()


def content_hash(values: Sequence[Any]) -> str:
    """The content hash of a row's field ``values`` in their fixed order."""
    return digest([canonical(value) for value in values])


def chain_hash(previous: str, content: str, seq: int) -> str:
    """The hash that links a sealed row to the one sealed before it."""
    return hashlib.sha256(f"{previous}:{seq}:{content}".encode()).hexdigest()


@dataclass(frozen=True)
class Sealed:
    """What a batch of sealing produced: ``(seq, chain hash, key)`` per row and the new head."""

    updates: list[tuple[int, str, Any]]
    last_seq: int
    last_hash: str


def link(rows: Iterable[tuple[Any, str]], *, last_seq: int, last_hash: str) -> Sealed:
    """Chain ``(key, content hash)`` rows, in the order given, after the head
    ``(last_seq, last_hash)``."""
    seq, previous = last_seq, last_hash
    updates = []
    for key, content in rows:
        seq += 1
        previous = chain_hash(previous, content, seq)
        updates.append((seq, previous, key))
    return Sealed(updates, seq, previous)


@dataclass(frozen=True)
class Break:
    """One thing wrong with a chain: ``kind`` is ``altered``, ``missing`` or ``broken``."""

    kind: str
    key: Any
    seq: int | None
    detail: str


@dataclass
class Walk:
    """Where a walk ended: the last sequence number and chain hash it re-derived."""

    last_seq: int
    last_hash: str


def walk(
    rows: Iterable[tuple[Any, str, str, int | None, str]],
    *,
    start_seq: int = 0,
    start_hash: str = GENESIS_HASH,
    end: Walk | None = None,
    marks: dict[int, str] | None = None,
) -> Iterator[Break]:
    """Re-derive a chain from ``(key, recomputed content, stored content, seq, stored
    chain)`` rows ordered by seq (unsealed rows, seq None, last), after the checkpoint
    ``(start_seq, start_hash)``. Yields every break; ``end`` receives the head reached,
    ``marks`` the re-derived chain hash at each sequence number it holds as a key (the
    heads published outside the database are compared with these)."""
    previous, expected = start_hash, start_seq
    for key, recomputed, stored, seq, chained in rows:
        if recomputed != stored:
            yield Break("altered", key, seq, "content differs from its hash")
        if seq is None:
            continue
        expected += 1
        if seq != expected:
            if seq < expected:
                yield Break("broken", key, seq, f"sequence number {seq} appears twice")
            else:
                yield Break("missing", key, seq, f"sealed rows {expected}..{seq - 1} are missing")
            expected = seq
        previous = chain_hash(previous, stored, seq)
        if marks is not None and seq in marks:
            marks[seq] = previous
        if previous != chained:
            yield Break("broken", key, seq, f"chain broken at seal {seq}")
            previous = chained
    if end is not None:
        end.last_seq, end.last_hash = expected, previous
