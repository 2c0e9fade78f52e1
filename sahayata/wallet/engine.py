"""The ledger engine: loads accounts under lock, runs the pure rules, writes in bulk.

One code path serves ``transfers_create`` (a linked chain: all or nothing), the batch
path (independent operations, each applied or refused on its own) and the sweeper.
Queries per call, whatever the number of operations: holds referenced (if any),
account metadata, one ``SELECT … FOR UPDATE`` of the cold (limited) accounts in
primary-key order, existing transfers and resolutions, one bulk ``INSERT``, one
``UPDATE`` of the cold accounts touched, one ``UPDATE`` of one random stripe per hot
account touched (in account order, after every cold lock: no lock cycles). The SQL that
differs between databases is ``sahayata.core.dialect``'s.

Call it inside ``transaction.atomic``. One transaction should use one engine call for
all its legs, so that all its wallet locks are taken before any stripe lock.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils import timezone

from sahayata.core import dialect
from sahayata.wallet import rules
from sahayata.wallet.errors import AccountNotFound, HoldNotFound, InvalidTransfer, WalletError
from sahayata.wallet.models import (
    STRIPES,
    Account,
    AccountStripe,
    HoldTimeout,
    Transfer,
    TransferCode,
    TransferKind,
)

EXPIRY_NAMESPACE = uuid.UUID("6f1d3f4e-8c43-4d5c-9d0e-5a8f3f2b7c11")
_CODES = frozenset(TransferCode.values)


@dataclass(frozen=True)
class TransferSpec:
    """A transfer to create: single (``pending=False``) or a hold (``pending=True``)."""

    id: uuid.UUID
    debit_account_id: int
    credit_account_id: int
    amount_paise: int
    code: str
    reference: str = ""
    pending: bool = False
    timeout_seconds: int | None = None


@dataclass(frozen=True)
class PostSpec:
    """Post a hold, in full (``amount_paise=None``) or in part."""

    id: uuid.UUID
    pending_id: uuid.UUID
    amount_paise: int | None = None


@dataclass(frozen=True)
class VoidSpec:
    """Void a hold: its money goes back where it came from."""

    id: uuid.UUID
    pending_id: uuid.UUID


@dataclass(frozen=True)
class ExpireSpec:
    """The sweeper's void of a hold past its timeout."""

    pending_id: uuid.UUID

    @property
    def id(self) -> uuid.UUID:
        return expiry_transfer_id(self.pending_id)


Operation = TransferSpec | PostSpec | VoidSpec | ExpireSpec


def expiry_transfer_id(pending_id: uuid.UUID) -> uuid.UUID:
    """The sweeper's void has an id derived from the hold: concurrent sweepers agree on it."""
    return uuid.uuid5(EXPIRY_NAMESPACE, str(pending_id))


@dataclass
class Outcome:
    transfer: Transfer | None = None
    error: WalletError | None = None
    created: bool = False


@dataclass
class _Hold:
    id: uuid.UUID
    debit_account_id: int
    credit_account_id: int
    amount_paise: int
    code: str
    reference: str
    timeout_at: datetime | None
    resolved_by_expiry: bool | None  # None while unresolved


def _check_id(value: object) -> uuid.UUID:
    if not isinstance(value, uuid.UUID):
        raise InvalidTransfer(details={"id": "must be a UUID"})
    return value


def _validate(op: Operation) -> None:
    """Shape checks that need no database; raise on the first problem."""
    _check_id(op.id)
    if isinstance(op, TransferSpec):
        rules.validate_amount(op.amount_paise)
        timeout = rules.validate_timeout(op.timeout_seconds)
        rules.validate_transfer_shape(
            debit_account_id=op.debit_account_id,
            credit_account_id=op.credit_account_id,
            pending=op.pending,
            timeout=timeout,
        )
        if op.code not in _CODES or op.code == TransferCode.EXPIRY:
            raise InvalidTransfer(details={"code": str(op.code)[:40]})
        if not isinstance(op.reference, str) or len(op.reference) > 100:
            raise InvalidTransfer(details={"reference": "at most 100 characters"})
    else:
        _check_id(op.pending_id)
        if isinstance(op, PostSpec) and op.amount_paise is not None:
            rules.validate_amount(op.amount_paise)


def _requested_fields(op: Operation, hold: _Hold | None) -> dict[str, object]:
    if isinstance(op, TransferSpec):
        return {
            "kind": TransferKind.PENDING if op.pending else TransferKind.SINGLE,
            "debit_account_id": op.debit_account_id,
            "credit_account_id": op.credit_account_id,
            "amount_paise": op.amount_paise,
            "code": op.code,
            "reference": op.reference,
            "timeout_seconds": op.timeout_seconds,
            "pending_id": None,
        }
    kind = TransferKind.POST_PENDING if isinstance(op, PostSpec) else TransferKind.VOID_PENDING
    fields: dict[str, object] = {"kind": kind, "pending_id": op.pending_id}
    if isinstance(op, PostSpec):
        fields["amount_paise"] = (
            op.amount_paise
            if op.amount_paise is not None
            else (hold.amount_paise if hold else None)
        )
    return fields


def _stored_fields(transfer: Transfer) -> dict[str, object]:
    return {
        "kind": transfer.kind,
        "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id,
        "amount_paise": transfer.amount_paise,
        "code": transfer.code,
        "reference": transfer.reference,
        "timeout_seconds": transfer.timeout_seconds,
        "pending_id": transfer.pending_id,
    }


def _load_holds(pending_ids: set[uuid.UUID]) -> dict[uuid.UUID, _Hold]:
    if not pending_ids:
        return {}
    holds = {}
    for row in Transfer.objects.filter(id__in=pending_ids, kind=TransferKind.PENDING).values(
        "id",
        "debit_account_id",
        "credit_account_id",
        "amount_paise",
        "code",
        "reference",
        "timeout_at",
    ):
        holds[row["id"]] = _Hold(**row, resolved_by_expiry=None)
    return holds


_ACCOUNT_COLUMNS = (
    "id",
    "hot",
    "debits_posted",
    "credits_posted",
    "debits_pending",
    "credits_pending",
    "debits_must_not_exceed_credits",
    "credits_must_not_exceed_debits",
)


def _load_accounts(account_ids: set[int]) -> dict[int, rules.AccountState]:
    """Every account's metadata, and the cold (limited) ones locked in primary-key order
    (hot ones are read without a lock: their counters live in stripes). Either way,
    counter updates are relative and the ``CheckConstraint`` is the backstop.
    """
    states: dict[int, rules.AccountState] = {}
    if not account_ids:
        return states
    lock = dialect.rows_lock_prepared if len(account_ids) <= 2 else dialect.rows_lock
    rows = lock(Account, _ACCOUNT_COLUMNS, among=("id", sorted(account_ids)), unlocked_if="hot")
    for pk, hot, dp, cp, dpe, cpe, dlimit, climit in rows:
        if hot:
            states[pk] = rules.AccountState(id=pk, hot=True)
        else:
            states[pk] = rules.AccountState(
                id=pk,
                debits_posted=dp,
                credits_posted=cp,
                debits_pending=dpe,
                credits_pending=cpe,
                debits_must_not_exceed_credits=bool(dlimit),
                credits_must_not_exceed_debits=bool(climit),
            )
    return states


def _db() -> Any:
    """Django's connection object itself (one thread-local lookup per call, not per use)."""
    return connections[DEFAULT_DB_ALIAS]


class _AlreadyThere(Exception):
    """The fast path met an id (or a hold resolution) that exists: redo with lookups."""


def run(ops: Sequence[Operation], *, linked: bool, now: datetime | None = None) -> list[Outcome]:
    """Apply ``ops`` in order. Linked: the first error is raised and nothing is written.
    Not linked: each operation is applied or refused on its own (see ``Outcome``).

    The fast path assumes every id is new and lets the unique keys say otherwise
    (``INSERT … ON CONFLICT DO NOTHING`` and its row count); only a retry or a race takes
    the second path, which looks up existing transfers and resolutions first.
    """
    now = now or timezone.now()
    if len(ops) == 1 and _db().in_atomic_block:
        # One operation inside the caller's transaction: every refusal is raised before
        # anything is written, and its one write (``dialect.row_insert_then``) writes all or
        # nothing, so no savepoint is needed around the fast path.
        try:
            return _run(ops, linked=linked, now=now, fast=True)
        except _AlreadyThere:
            pass
    else:
        try:
            with transaction.atomic():
                return _run(ops, linked=linked, now=now, fast=True)
        except _AlreadyThere:
            pass
    with transaction.atomic():
        return _run(ops, linked=linked, now=now, fast=False)


def _run(ops: Sequence[Operation], *, linked: bool, now: datetime, fast: bool) -> list[Outcome]:
    outcomes = [Outcome() for _ in ops]
    valid: list[int] = []
    for index, op in enumerate(ops):
        try:
            _validate(op)
        except WalletError as error:
            if linked:
                raise
            outcomes[index].error = error
            continue
        valid.append(index)

    in_batch_holds = {
        ops[i].id
        for i in valid
        if isinstance(ops[i], TransferSpec) and ops[i].pending  # type: ignore[union-attr]
    }
    pending_ids = {
        ops[i].pending_id  # type: ignore[union-attr]
        for i in valid
        if not isinstance(ops[i], TransferSpec)
    }
    holds = _load_holds(pending_ids - in_batch_holds)

    account_ids: set[int] = set()
    for i in valid:
        op = ops[i]
        if isinstance(op, TransferSpec):
            account_ids.update((op.debit_account_id, op.credit_account_id))
        elif op.pending_id in holds:
            hold = holds[op.pending_id]
            account_ids.update((hold.debit_account_id, hold.credit_account_id))
    states = _load_accounts(account_ids)

    # Under the locks: which ids exist already, and which holds are resolved (second path).
    existing: dict[uuid.UUID, Transfer] = {}
    if not fast:
        lookup = Q(id__in={ops[i].id for i in valid})
        if pending_ids:
            lookup |= Q(pending_id__in=pending_ids)
        for transfer in Transfer.objects.filter(lookup):
            existing[transfer.id] = transfer
            if transfer.pending_id in holds:
                holds[transfer.pending_id].resolved_by_expiry = transfer.code == TransferCode.EXPIRY

    created: list[Transfer] = []
    made: dict[uuid.UUID, Transfer] = {}
    resolved_now: list[uuid.UUID] = []
    new_timeouts: list[HoldTimeout] = []
    tick = 0
    for index in valid:
        op = ops[index]
        try:
            transfer, is_new = _apply_one(op, holds, states, existing, made, now, tick)
        except WalletError as error:
            if fast:
                # The id may exist already (a retry answers with the original) or the hold
                # may be resolved: decide on the path that looks them up.
                raise _AlreadyThere() from error
            if linked:
                raise
            outcomes[index].error = error
            continue
        outcomes[index].transfer = transfer
        outcomes[index].created = is_new
        if not is_new:
            continue
        tick += 1
        created.append(transfer)
        made[transfer.id] = transfer
        if transfer.kind == TransferKind.PENDING:
            holds[transfer.id] = _Hold(
                id=transfer.id,
                debit_account_id=transfer.debit_account_id,
                credit_account_id=transfer.credit_account_id,
                amount_paise=transfer.amount_paise,
                code=transfer.code,
                reference=transfer.reference,
                timeout_at=transfer.timeout_at,
                resolved_by_expiry=None,
            )
            if transfer.timeout_at is not None:
                new_timeouts.append(
                    HoldTimeout(hold_id=transfer.id, timeout_at=transfer.timeout_at)
                )
        elif transfer.pending_id is not None:
            resolved_now.append(transfer.pending_id)

    if len(created) == 1:
        _write_one(created[0], states, resolved_now)
        if new_timeouts:  # the hold is new (inserted just now): its entry cannot exist
            HoldTimeout.objects.bulk_create(new_timeouts)
    elif created:
        _write(created, states, new_timeouts, resolved_now)
    return outcomes


_INSERT_COLUMNS = (
    "id",
    "kind",
    "debit_account_id",
    "credit_account_id",
    "amount_paise",
    "pending_id",
    "code",
    "reference",
    "timeout_seconds",
    "timeout_at",
    "created_at",
    "content_hash",
    "chain_hash",
)


def _rows(created: list[Transfer]) -> list[list[object]]:
    """The new transfers as rows in ``_INSERT_COLUMNS`` order, in the database's form."""
    db = _db()
    native_uuid = db.features.has_native_uuid_field
    adapt_time = dialect.datetime_adapter(db)

    def uid(value: uuid.UUID | None) -> object:
        return value if value is None or native_uuid else value.hex

    return [
        [
            uid(t.id),
            t.kind,
            t.debit_account_id,
            t.credit_account_id,
            t.amount_paise,
            uid(t.pending_id),
            t.code,
            t.reference,
            t.timeout_seconds,
            adapt_time(t.timeout_at) if t.timeout_at else None,
            adapt_time(t.created_at),
            t.content_hash,
            "",
        ]
        for t in created
    ]


def _insert(created: list[Transfer]) -> None:
    """Write the new transfers; an id (or a hold resolution) that exists already means a
    retry or a race, and the caller redoes the work on the path with lookups."""
    rows = _rows(created)
    try:
        dialect.rows_insert_new(Transfer, _INSERT_COLUMNS, rows)
    except dialect.RowExists as error:
        raise _AlreadyThere() from error


def _apply_one(
    op: Operation,
    holds: dict[uuid.UUID, _Hold],
    states: dict[int, rules.AccountState],
    existing: dict[uuid.UUID, Transfer],
    made: dict[uuid.UUID, Transfer],
    now: datetime,
    tick: int,
) -> tuple[Transfer, bool]:
    hold = None if isinstance(op, TransferSpec) else holds.get(op.pending_id)
    previous = existing.get(op.id) or made.get(op.id)
    if previous is not None:
        rules.same_fields(_stored_fields(previous), _requested_fields(op, hold))
        return previous, False

    created_at = now + timedelta(microseconds=tick)
    if isinstance(op, TransferSpec):
        debit = states.get(op.debit_account_id)
        credit = states.get(op.credit_account_id)
        if debit is None or credit is None:
            missing = op.debit_account_id if debit is None else op.credit_account_id
            raise AccountNotFound(details={"account_id": missing})
        if op.pending:
            rules.apply_pending(debit, credit, op.amount_paise)
            kind = TransferKind.PENDING
        else:
            rules.apply_single(debit, credit, op.amount_paise)
            kind = TransferKind.SINGLE
        return _new_transfer(
            id=op.id,
            kind=kind,
            debit_account_id=op.debit_account_id,
            credit_account_id=op.credit_account_id,
            amount_paise=op.amount_paise,
            pending_id=None,
            code=op.code,
            reference=op.reference,
            timeout_seconds=op.timeout_seconds,
            created_at=created_at,
        ), True

    if hold is None:
        raise HoldNotFound(details={"pending_id": str(op.pending_id)})
    is_expiry = isinstance(op, ExpireSpec)
    rules.check_resolution(
        rules.HoldView(hold.id, hold.amount_paise, hold.timeout_at, hold.resolved_by_expiry),
        now=now,
        by_sweeper=is_expiry,
    )
    if is_expiry and (hold.timeout_at is None or hold.timeout_at > now):
        raise InvalidTransfer(details={"pending_id": "this hold has not expired"})
    debit, credit = states[hold.debit_account_id], states[hold.credit_account_id]
    if isinstance(op, PostSpec):
        amount = op.amount_paise if op.amount_paise is not None else hold.amount_paise
        rules.apply_post(debit, credit, hold=hold.amount_paise, post=amount)
        kind = TransferKind.POST_PENDING
        code = hold.code
    else:
        amount = hold.amount_paise
        rules.apply_void(debit, credit, hold=hold.amount_paise)
        kind = TransferKind.VOID_PENDING
        code = TransferCode.EXPIRY if is_expiry else hold.code
    hold.resolved_by_expiry = is_expiry
    return _new_transfer(
        id=op.id,
        kind=kind,
        debit_account_id=hold.debit_account_id,
        credit_account_id=hold.credit_account_id,
        amount_paise=amount,
        pending_id=hold.id,
        code=code,
        reference=hold.reference,
        timeout_seconds=None,
        created_at=created_at,
    ), True


def _new_transfer(
    *,
    id: uuid.UUID,
    kind: str,
    debit_account_id: int,
    credit_account_id: int,
    amount_paise: int,
    pending_id: uuid.UUID | None,
    code: str,
    reference: str,
    timeout_seconds: int | None,
    created_at: datetime,
) -> Transfer:
    timeout_at = rules.timeout_at(created_at, timeout_seconds)
    values = {
        "id": id,
        "kind": kind,
        "debit_account_id": debit_account_id,
        "credit_account_id": credit_account_id,
        "amount_paise": amount_paise,
        "pending_id": pending_id,
        "code": code,
        "reference": reference,
        "timeout_seconds": timeout_seconds,
        "timeout_at": timeout_at,
        "created_at": created_at,
        "seal_seq": None,
        "chain_hash": "",
    }
    values["content_hash"] = rules.content_hash(
        id=id,
        kind=kind,
        debit_account_id=debit_account_id,
        credit_account_id=credit_account_id,
        amount_paise=amount_paise,
        pending_id=pending_id,
        code=code,
        reference=reference,
        timeout_at=timeout_at,
        created_at=created_at,
    )
    # The row as the ORM would load it, without Model.__init__'s per-field work (the batch
    # path builds thousands): the same attributes and state that ``from_db`` leaves.
    transfer = Transfer.__new__(Transfer)
    transfer.__dict__.update(values)
    transfer._state = ModelState()
    transfer._state.adding = False
    transfer._state.db = DEFAULT_DB_ALIAS
    return transfer


_COUNTERS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")


def _write_one(
    transfer: Transfer, states: dict[int, rules.AccountState], resolved_now: list[uuid.UUID]
) -> None:
    """``_write`` for one transfer (its hold timeout aside): the insert, the cold
    accounts' counters, one random stripe of each hot account and the sweeper's entry of a
    resolved hold, in the one statement of ``dialect.row_insert_then``; the batch's COPY
    and ``unnest`` cost more than they save for one row."""
    adds: list[tuple[type[Account] | type[AccountStripe], dict[str, int], dict[str, object]]] = []
    for pk in sorted(pk for pk, st in states.items() if any(st.delta())):
        deltas = dict(zip(_COUNTERS, states[pk].delta(), strict=True))
        if states[pk].hot:
            stripe_no = random.randrange(STRIPES)  # noqa: S311 - spreads load, not a secret
            adds.append((AccountStripe, deltas, {"account_id": pk, "stripe_no": stripe_no}))
        else:
            adds.append((Account, deltas, {"id": pk}))
    deletes = [(HoldTimeout, "hold_id", dialect.uuid_value(pk)) for pk in resolved_now]
    updated = dialect.row_insert_then(
        Transfer, _INSERT_COLUMNS, _rows([transfer])[0], adds=adds, deletes=deletes
    )
    if updated is None:
        raise _AlreadyThere()
    if any(count != 1 for count in updated):
        # A hot account without its stripe would lose money silently: refuse.
        raise RuntimeError(f"{len(adds)} counter rows to update, {updated} updated")


def _write(
    created: list[Transfer],
    states: dict[int, rules.AccountState],
    new_timeouts: list[HoldTimeout],
    resolved_now: list[uuid.UUID],
) -> None:
    _insert(created)
    # Every cold account touched, in primary-key order (rows locked in _load_accounts),
    # then one random stripe of each hot account: no lock cycles.
    cold = [
        [*states[pk].delta(), pk]
        for pk in sorted(pk for pk, st in states.items() if not st.hot and any(st.delta()))
    ]
    if cold:
        updated = dialect.counters_add(Account, _COUNTERS, cold)
        if updated not in (-1, len(cold)):
            raise RuntimeError(f"{len(cold)} accounts to update, {updated} updated")
    for pk in sorted(pk for pk, st in states.items() if st.hot and any(st.delta())):
        stripe_no = random.randrange(STRIPES)  # noqa: S311 - spreads load, not a secret
        deltas = dict(zip(_COUNTERS, states[pk].delta(), strict=True))
        where = {"account_id": pk, "stripe_no": stripe_no}
        if dialect.counters_add_where(AccountStripe, deltas, where) != 1:
            # A hot account without its stripes would lose money silently: refuse.
            raise RuntimeError(f"hot account {pk} has no stripe {stripe_no}")
    if new_timeouts:
        HoldTimeout.objects.bulk_create(new_timeouts)
    if resolved_now:
        # The sweeper's queue loses the holds resolved now (most never had an entry).
        dialect.rows_delete(HoldTimeout, "hold_id", dialect.uuid_values(resolved_now))
