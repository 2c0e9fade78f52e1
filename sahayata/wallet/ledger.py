"""Ledger audit: the sealer that hash-chains committed transfers, and the invariant checks.

``ledger_seal`` takes committed transfers that have no ``seal_seq`` yet, oldest first, in
batches, and links each to the previous one: ``chain_hash = H(previous, seq, content_hash)``.
Only the sealer serializes (on the single ``LedgerSeal`` row); transfers never wait for it.
``ledger_check`` seals what is new, then verifies the five invariants of the ledger and
returns every violation found (an empty list means the ledger is sound).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from sahayata.core import dialect
from sahayata.wallet import rules
from sahayata.wallet.models import (
    Account,
    AccountStripe,
    HoldTimeout,
    LedgerSeal,
    Transfer,
    TransferCode,
    TransferKind,
)

COUNTERS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")


@dataclass(frozen=True)
class Violation:
    check: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.detail}"


def _seal_head() -> LedgerSeal:
    LedgerSeal.objects.get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": rules.GENESIS_HASH}
    )
    return LedgerSeal.objects.select_for_update().get(pk=1)


def _write_seals(updates: Sequence[tuple[int, str, object]]) -> None:
    """(seq, hash, row address) per transfer: one statement per batch; a transfer already
    sealed (by a concurrent sealer) is left alone."""
    dialect.rows_update_each(
        Transfer,
        ("seal_seq", "chain_hash"),
        updates,
        key=dialect.row_address(Transfer),
        where_null=("seal_seq",),
    )


# The oldest unsealed transfers, walked in order on the partial index ``transfer_unsealed``
# (without the hint SQLite sorted the whole backlog), with the address the UPDATE finds
# them by (on SQLite the rowid: no probe of the random-id index, which outgrows the cache):
# a batch costs the same whatever the history.
_UNSEALED = (
    "SELECT {address}, content_hash FROM {transfer} {hint} WHERE seal_seq IS NULL"
    " ORDER BY created_at, id LIMIT %s"
)


def _unsealed_sql() -> str:
    return dialect.statement(
        _UNSEALED,
        transfer=Transfer,
        address=dialect.row_address(Transfer),
        hint=dialect.index_hint("transfer_unsealed"),
    )


def ledger_seal(*, batch_size: int = 5000, max_batches: int | None = None) -> int:
    """Chain every committed, unsealed transfer; return how many were sealed."""
    sealed = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            head = _seal_head()
            rows = list(dialect.rows_fetch(_unsealed_sql(), [batch_size]))
            if not rows:
                return sealed
            seq, previous = head.last_seq, head.last_hash
            updates = []
            for address, content in rows:
                seq += 1
                previous = rules.chain_hash(previous, content, seq)
                updates.append((seq, previous, address))
            _write_seals(updates)
            head.last_seq, head.last_hash, head.sealed_at = seq, previous, timezone.now()
            head.save(update_fields=["last_seq", "last_hash", "sealed_at"])
        sealed += len(rows)
        batches += 1
    return sealed


def _stored_totals() -> dict[int, list[int]]:
    totals: dict[int, list[int]] = {}
    for row in Account.objects.values("pk", *COUNTERS):
        totals[row["pk"]] = [row[name] for name in COUNTERS]
    stripes = AccountStripe.objects.values("account_id").annotate(
        **{f"s_{name}": Sum(name) for name in COUNTERS}
    )
    for row in stripes:
        current = totals.setdefault(row["account_id"], [0, 0, 0, 0])
        for index, name in enumerate(COUNTERS):
            current[index] += row[f"s_{name}"] or 0
    return totals


def _transfer_totals() -> dict[int, list[int]]:
    """Each account's four counters recomputed from its transfers alone."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    posted = Transfer.objects.filter(kind__in=[TransferKind.SINGLE, TransferKind.POST_PENDING])
    for row in posted.values("debit_account_id").annotate(s=Sum("amount_paise")):
        totals[row["debit_account_id"]][0] += row["s"]
    for row in posted.values("credit_account_id").annotate(s=Sum("amount_paise")):
        totals[row["credit_account_id"]][1] += row["s"]
    open_holds = Transfer.objects.filter(kind=TransferKind.PENDING, resolution__isnull=True)
    for row in open_holds.values("debit_account_id").annotate(s=Sum("amount_paise")):
        totals[row["debit_account_id"]][2] += row["s"]
    for row in open_holds.values("credit_account_id").annotate(s=Sum("amount_paise")):
        totals[row["credit_account_id"]][3] += row["s"]
    return totals


def _check_balances(violations: list[Violation]) -> None:
    stored = _stored_totals()
    computed = _transfer_totals()
    sums = [0, 0, 0, 0]
    for values in stored.values():
        for index in range(4):
            sums[index] += values[index]
    if sums[0] != sums[1] or sums[2] != sums[3]:
        violations.append(
            Violation(
                "debits_equal_credits",
                f"debits posted {sums[0]} vs credits posted {sums[1]}; "
                f"debits pending {sums[2]} vs credits pending {sums[3]}",
            )
        )
    codes = dict(Account.objects.values_list("pk", "code"))
    for pk in sorted(set(stored) | set(computed)):
        have = stored.get(pk, [0, 0, 0, 0])
        want = computed.get(pk, [0, 0, 0, 0])
        if have != want:
            diffs = ", ".join(
                f"{name} stored {have[i]} vs transfers {want[i]}"
                for i, name in enumerate(COUNTERS)
                if have[i] != want[i]
            )
            violations.append(
                Violation("account_matches_transfers", f"{codes.get(pk, pk)}: {diffs}")
            )
        if any(value < 0 for value in have):
            violations.append(
                Violation(
                    "no_negative_account", f"{codes.get(pk, pk)} has a negative counter {have}"
                )
            )
    limited = Account.objects.filter(debits_must_not_exceed_credits=True).filter(
        debits_posted__gt=F("credits_posted") - F("debits_pending")
    )
    for code in limited.values_list("code", flat=True):
        violations.append(Violation("no_negative_account", f"{code} has spent more than it holds"))
    for pk, want in computed.items():
        if (want[0] + want[2] > want[1]) and Account.objects.filter(
            pk=pk, debits_must_not_exceed_credits=True
        ).exists():
            violations.append(
                Violation(
                    "no_negative_account", f"{codes.get(pk, pk)} goes negative by its transfers"
                )
            )


def _check_holds(violations: list[Violation]) -> None:
    twice = (
        Transfer.objects.filter(pending__isnull=False)
        .values("pending_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for row in twice:
        violations.append(
            Violation("hold_resolved_once", f"hold {row['pending_id']} resolved {row['n']} times")
        )
    bad = Transfer.objects.filter(pending__isnull=False).exclude(pending__kind=TransferKind.PENDING)
    for pk in bad.values_list("pk", flat=True):
        violations.append(
            Violation("hold_resolved_once", f"{pk} resolves a transfer that is no hold")
        )
    mismatched = Transfer.objects.filter(pending__isnull=False).filter(
        ~Q(debit_account_id=F("pending__debit_account_id"))
        | ~Q(credit_account_id=F("pending__credit_account_id"))
        | Q(kind=TransferKind.POST_PENDING, amount_paise__gt=F("pending__amount_paise"))
        | Q(kind=TransferKind.VOID_PENDING) & ~Q(amount_paise=F("pending__amount_paise"))
    )
    for pk in mismatched.values_list("pk", flat=True):
        violations.append(
            Violation("hold_resolved_once", f"{pk} does not match the hold it resolves")
        )
    expired_early = Transfer.objects.filter(
        code=TransferCode.EXPIRY,
        kind=TransferKind.VOID_PENDING,
        created_at__lt=F("pending__timeout_at"),
    )
    for pk in expired_early.values_list("pk", flat=True):
        violations.append(
            Violation("hold_resolved_once", f"{pk} expired a hold before its timeout")
        )
    stale = HoldTimeout.objects.filter(hold__resolution__isnull=False)
    for pk in stale.values_list("hold_id", flat=True):
        violations.append(
            Violation("hold_resolved_once", f"hold {pk} is resolved but still queued to expire")
        )


def _check_chain(violations: list[Violation]) -> None:
    previous = rules.GENESIS_HASH
    expected_seq = 0
    fields = (
        "id",
        "kind",
        "debit_account_id",
        "credit_account_id",
        "amount_paise",
        "pending_id",
        "code",
        "reference",
        "timeout_at",
        "created_at",
        "content_hash",
        "seal_seq",
        "chain_hash",
    )
    rows = Transfer.objects.order_by(F("seal_seq").asc(nulls_last=True)).values_list(*fields)
    for row in rows.iterator(chunk_size=5000):
        (pk, kind, debit, credit, amount, pending, code, reference, timeout_at, created_at,
         content, seq, chained) = row  # fmt: skip
        recomputed = rules.content_hash(
            id=pk,
            kind=kind,
            debit_account_id=debit,
            credit_account_id=credit,
            amount_paise=amount,
            pending_id=pending,
            code=code,
            reference=reference,
            timeout_at=timeout_at,
            created_at=created_at,
        )
        if recomputed != content:
            violations.append(
                Violation("hash_chain", f"transfer {pk} was altered after it was written")
            )
        if seq is None:
            continue
        expected_seq += 1
        if seq != expected_seq:
            violations.append(
                Violation("hash_chain", f"sealed rows {expected_seq}..{seq - 1} are missing")
            )
            expected_seq = seq
        previous = rules.chain_hash(previous, content, seq)
        if previous != chained:
            violations.append(
                Violation("hash_chain", f"chain broken at seal {seq} (transfer {pk})")
            )
            previous = chained
    head = LedgerSeal.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq or head.last_hash != previous):
        violations.append(
            Violation(
                "hash_chain",
                f"seal head says {head.last_seq} rows, the table has {expected_seq} sealed rows",
            )
        )


def ledger_check(*, seal: bool = True) -> list[Violation]:
    """Seal new transfers (unless ``seal=False``), then verify every invariant."""
    if seal:
        ledger_seal()
    violations: list[Violation] = []
    _check_balances(violations)
    _check_holds(violations)
    _check_chain(violations)
    return violations
