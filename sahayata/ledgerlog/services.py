"""Writes of the transparency log: appending posted transfers as leaves, publishing heads.

**Leaves.** Every *posted* transfer (kind ``single`` or ``post_pending``: the transfers that
move posted money, the set ``ledger_check`` sums as posted) becomes one leaf, in seal order
(``seal_seq``), so the log only ever appends what the sealer has already chained. Holds
and voids move no posted money and are not leaves. ``leaf_data`` is
``"<content_hash>:<salt>"``: the salt of the application whose reference the transfer
carries, or of the top-up (``topup:<bank reference>``). A transfer of neither (no such
transfer is written today: corrections and settlements would be) has the empty salt: it
belongs to no citizen, so there is no receipt to keep it private for.

**Heads.** ``log_publish`` appends, then signs a head of everything appended, naming the
root of the head before it; nothing new means no new head. The daily job calls
``log_publish_due``, which publishes once per Kolkata day. Each head is also written
outside the database with the wallet's seal chain head, signed (``published``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from sahayata.applications.models import Application
from sahayata.ledgerlog import merkle, published, store
from sahayata.ledgerlog.models import LogHead, LogState
from sahayata.ledgerlog.signing import head_message, head_sign
from sahayata.wallet.ledger import ledger_seal, seal_chain_at
from sahayata.wallet.models import TopUp, Transfer, TransferKind

POSTED_KINDS = (TransferKind.SINGLE, TransferKind.POST_PENDING)
TOPUP_PREFIX = "topup:"
KOLKATA = ZoneInfo("Asia/Kolkata")


def leaf_data(content_hash: str, salt: str) -> bytes:
    return f"{content_hash}:{salt}".encode()


def salts_of(references: Iterable[str]) -> dict[str, str]:
    """The salt behind each transfer reference (an application number or ``topup:<ref>``)."""
    wanted = set(references)
    banks = {ref[len(TOPUP_PREFIX) :]: ref for ref in wanted if ref.startswith(TOPUP_PREFIX)}
    numbers = [ref for ref in wanted if not ref.startswith(TOPUP_PREFIX)]
    salts: dict[str, str] = {}
    for start in range(0, len(numbers), store.CHUNK):
        chunk = numbers[start : start + store.CHUNK]
        salts.update(Application.objects.filter(number__in=chunk).values_list("number", "log_salt"))
    bank_refs = sorted(banks)
    for start in range(0, len(bank_refs), store.CHUNK):
        chunk = bank_refs[start : start + store.CHUNK]
        for bank_reference, salt in TopUp.objects.filter(bank_reference__in=chunk).values_list(
            "bank_reference", "log_salt"
        ):
            salts[banks[bank_reference]] = salt
    return salts


PostedRow = tuple[uuid.UUID, int, str, str]


def posted_transfers_after(
    seal_seq: int, *, through: int | None = None, limit: int | None = None
) -> list[PostedRow]:
    """``(id, seal_seq, content_hash, reference)`` of posted, sealed transfers after
    ``seal_seq``, in seal order."""
    rows = Transfer.objects.filter(seal_seq__gt=seal_seq, kind__in=POSTED_KINDS)
    if through is not None:
        rows = rows.filter(seal_seq__lte=through)
    ordered = rows.order_by("seal_seq").values_list("id", "seal_seq", "content_hash", "reference")
    # seal_seq is never null here (filtered above), whatever the column's type says.
    return list(ordered[:limit] if limit is not None else ordered)  # type: ignore[arg-type]


def leaf_hashes(rows: Sequence[PostedRow]) -> list[bytes]:
    salts = salts_of(reference for _id, _seq, _content, reference in rows)
    return [
        merkle.leaf_hash(leaf_data(content, salts.get(reference, "")))
        for _id, _seq, content, reference in rows
    ]


def _state() -> LogState:
    LogState.objects.get_or_create(pk=1)
    return LogState.objects.select_for_update().get(pk=1)


def log_append(*, through_seal_seq: int | None = None, batch_size: int = 10_000) -> int:
    """Seal the ledger, then append every posted transfer sealed since the last append (up
    to ``through_seal_seq``), one transaction per batch. Returns how many were appended."""
    ledger_seal()
    appended = 0
    while True:
        with transaction.atomic():
            state = _state()
            rows = posted_transfers_after(
                state.last_seal_seq, through=through_seal_seq, limit=batch_size
            )
            if not rows:
                return appended
            frontier = merkle.Frontier(state.size, store.fetch)
            leaves: list[tuple[int, str, bytes]] = []
            nodes: list[tuple[merkle.Node, bytes]] = []
            for row, value in zip(rows, leaf_hashes(rows), strict=True):
                leaves.append((frontier.size, str(row[0]), value))
                nodes.extend(frontier.append(value))
            store.write(leaves, nodes)
            state.size, state.last_seal_seq = frontier.size, rows[-1][1]
            state.save(update_fields=["size", "last_seal_seq"])
        appended += len(rows)


def head_timestamp(at: dt.datetime) -> str:
    return at.astimezone(KOLKATA).isoformat(timespec="seconds")


def log_publish(
    *, now: dt.datetime | None = None, through_seal_seq: int | None = None
) -> tuple[LogHead | None, bool]:
    """Append, then sign and publish a head of the whole log. Returns ``(latest head,
    whether it is new)``; with nothing new since the last head, no head is written."""
    log_append(through_seal_seq=through_seal_seq)
    at = now or timezone.now()
    with transaction.atomic():
        state = _state()
        latest = LogHead.objects.order_by("-tree_size").first()
        if state.size == 0 or (latest is not None and latest.tree_size == state.size):
            return latest, False
        root_hash = merkle.root_of(state.size, store.fetch).hex()
        previous = latest.root_hash if latest is not None else ""
        timestamp = head_timestamp(at)
        key_id, signature = head_sign(
            head_message(
                tree_size=state.size,
                root_hash=root_hash,
                timestamp=timestamp,
                previous_root_hash=previous,
            )
        )
        head = LogHead.objects.create(
            tree_size=state.size,
            root_hash=root_hash,
            timestamp=timestamp,
            previous_root_hash=previous,
            key_id=key_id,
            signature=signature,
            published_at=timezone.now(),
        )
        # The seal chain as far as it goes now (or through the history's day), so holds,
        # voids and every other transfer are anchored too, not only the posted leaves.
        seal_seq, seal_chain_hash = seal_chain_at(through_seal_seq)
        _key_id, seal_signature = head_sign(
            published.seal_message(
                tree_size=state.size,
                root_hash=root_hash,
                seal_seq=seal_seq,
                seal_chain_hash=seal_chain_hash,
            )
        )
        outside = {
            "tree_size": state.size,
            "root_hash": root_hash,
            "timestamp": timestamp,
            "previous_root_hash": previous,
            "key_id": key_id,
            "signature": signature,
            "seal_seq": seal_seq,
            "seal_chain_hash": seal_chain_hash,
            "seal_signature": seal_signature,
        }
        # Only a committed head goes out: a rolled-back one would look like a truncation.
        transaction.on_commit(lambda: published.head_write(outside))
    return head, True


def log_publish_due(*, now: dt.datetime | None = None) -> tuple[LogHead | None, bool]:
    """The daily job: keep appending; sign a head once per Kolkata day."""
    at = now or timezone.now()
    latest = LogHead.objects.order_by("-tree_size").first()
    if (
        latest is not None
        and latest.published_at.astimezone(KOLKATA).date() >= at.astimezone(KOLKATA).date()
    ):
        log_append()
        return latest, False
    return log_publish(now=at)


def log_publish_history(*, until: dt.datetime | None = None) -> int:
    """One head at the end of each Kolkata day of the ledger's history so far (the demo's
    simulated month), then one of everything. Returns how many heads were written."""
    ledger_seal()
    first = Transfer.objects.filter(kind__in=POSTED_KINDS).order_by("created_at").first()
    if first is None:
        return 0
    written = 0
    day = first.created_at.astimezone(KOLKATA).date()
    end = (until or timezone.now()).astimezone(KOLKATA).date()
    while day < end:
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=KOLKATA)
        last = (
            Transfer.objects.filter(kind__in=POSTED_KINDS, created_at__lt=day_end)
            .order_by("-seal_seq")
            .values_list("seal_seq", flat=True)
            .first()
        )
        if last is not None:
            _head, new = log_publish(now=day_end - dt.timedelta(seconds=1), through_seal_seq=last)
            written += new
        day += dt.timedelta(days=1)
        if not Transfer.objects.filter(kind__in=POSTED_KINDS, created_at__gte=day_end).exists():
            break
    _head, new = log_publish()
    return written + new
