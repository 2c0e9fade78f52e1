"""The ledger's rules as pure functions: what a transfer may do to which account.

No ORM here. ``AccountState`` is an in-memory copy of an account's four counters and
its limit flags; the engine (``sahayata.wallet.engine``) loads states under lock, runs
these rules in order and writes what changed. The same rules serve the single path,
the batch path and the property-based tests.

Effects, as in TigerBeetle's two-phase transfers:

- single:       debit.debits_posted += a;   credit.credits_posted += a
- pending:      debit.debits_pending += a;  credit.credits_pending += a
- post (p ≤ h): both pending counters −= h; debit.debits_posted += p; credit.credits_posted += p
- void:         both pending counters −= h

A limited account (``debits_must_not_exceed_credits``, every centre wallet) must keep
``debits_posted + debits_pending <= credits_posted``: held money is not spendable twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sahayata.core import chain

# Re-exported: the ledger's chain is the shared recipe (sahayata.core.chain).
from sahayata.core.chain import EPOCH as EPOCH
from sahayata.core.chain import GENESIS_HASH as GENESIS_HASH
from sahayata.core.chain import chain_hash as chain_hash
from sahayata.core.chain import micros
from sahayata.core.money import MAX_AMOUNT_PAISE
from sahayata.wallet.errors import (
    CreditLimitExceeded,
    HoldAlreadyResolved,
    HoldExpired,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransfer,
    PostExceedsHold,
    TransferExists,
)

MAX_TIMEOUT_SECONDS = 366 * 24 * 3600


class Kind:
    SINGLE = "single"
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"


@dataclass
class AccountState:
    """One account's counters in paise, and its limits. Hot accounts start at zero: only
    their deltas matter, because they carry no limit."""

    id: int
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    hot: bool = False
    initial: tuple[int, int, int, int] = field(default=(0, 0, 0, 0))

    def __post_init__(self) -> None:
        self.initial = self.counters()

    def counters(self) -> tuple[int, int, int, int]:
        return (self.debits_posted, self.credits_posted, self.debits_pending, self.credits_pending)

    def delta(self) -> tuple[int, int, int, int]:
        now = self.counters()
        return (
            now[0] - self.initial[0],
            now[1] - self.initial[1],
            now[2] - self.initial[2],
            now[3] - self.initial[3],
        )

    @property
    def balance(self) -> int:
        """credits_posted − debits_posted: what a wallet holds."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        return self.credits_posted - self.debits_posted - self.debits_pending


def validate_amount(value: object) -> int:
    """A whole number of paise from 1 to 10^15; bools, floats and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(details={"amount_paise": repr(value)[:40]})
    if value < 1 or value > MAX_AMOUNT_PAISE:
        raise InvalidAmount(details={"amount_paise": value})
    return value


def validate_timeout(value: object) -> int | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_TIMEOUT_SECONDS
    ):
        raise InvalidTransfer(details={"timeout_seconds": repr(value)[:40]})
    return value


def validate_transfer_shape(
    *, debit_account_id: object, credit_account_id: object, pending: bool, timeout: int | None
) -> None:
    for name, value in (
        ("debit_account_id", debit_account_id),
        ("credit_account_id", credit_account_id),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidTransfer(details={name: repr(value)[:40]})
    if debit_account_id == credit_account_id:
        raise InvalidTransfer(details={"accounts": "debit and credit accounts must differ"})
    if timeout is not None and not pending:
        raise InvalidTransfer(details={"timeout_seconds": "only a hold has a timeout"})


def _check_limits(debit: AccountState, credit: AccountState) -> None:
    if debit.debits_must_not_exceed_credits and (
        debit.debits_posted + debit.debits_pending > debit.credits_posted
    ):
        raise InsufficientFunds(details={"account_id": debit.id})
    if credit.credits_must_not_exceed_debits and (
        credit.credits_posted + credit.credits_pending > credit.debits_posted
    ):
        raise CreditLimitExceeded(details={"account_id": credit.id})


def _apply(debit: AccountState, credit: AccountState, change: dict[str, int]) -> None:
    """Apply counter changes to both sides, check the limits, undo everything if refused."""
    before = (debit.counters(), credit.counters())
    debit.debits_posted += change.get("posted", 0)
    credit.credits_posted += change.get("posted", 0)
    debit.debits_pending += change.get("pending", 0)
    credit.credits_pending += change.get("pending", 0)
    try:
        _check_limits(debit, credit)
    except Exception:
        (debit.debits_posted, debit.credits_posted, debit.debits_pending, debit.credits_pending) = (
            before[0]
        )
        (
            credit.debits_posted,
            credit.credits_posted,
            credit.debits_pending,
            credit.credits_pending,
        ) = before[1]
        raise


def apply_single(debit: AccountState, credit: AccountState, amount: int) -> None:
    _apply(debit, credit, {"posted": amount})


def apply_pending(debit: AccountState, credit: AccountState, amount: int) -> None:
    _apply(debit, credit, {"pending": amount})


def apply_post(debit: AccountState, credit: AccountState, *, hold: int, post: int) -> None:
    if post > hold:
        raise PostExceedsHold(details={"hold_paise": hold, "post_paise": post})
    # Posting at most what is held can never break a limit: debits only shrink or stay.
    _apply(debit, credit, {"pending": -hold, "posted": post})


def apply_void(debit: AccountState, credit: AccountState, *, hold: int) -> None:
    _apply(debit, credit, {"pending": -hold})


@dataclass(frozen=True)
class HoldView:
    """What the rules need to know about a hold (a pending transfer)."""

    id: uuid.UUID
    amount_paise: int
    timeout_at: datetime | None
    resolved_by_expiry: bool | None  # None: unresolved; True/False: resolved by the sweeper or not


def check_resolution(hold: HoldView, *, now: datetime, by_sweeper: bool = False) -> None:
    """May this hold be posted or voided now? Exactly once, and not after its timeout."""
    if hold.resolved_by_expiry is not None:
        if hold.resolved_by_expiry:
            raise HoldExpired(details={"pending_id": str(hold.id)})
        raise HoldAlreadyResolved(details={"pending_id": str(hold.id)})
    if not by_sweeper and hold.timeout_at is not None and hold.timeout_at <= now:
        raise HoldExpired(details={"pending_id": str(hold.id)})


def timeout_at(created_at: datetime, timeout_seconds: int | None) -> datetime | None:
    return None if timeout_seconds is None else created_at + timedelta(seconds=timeout_seconds)


def same_fields(stored: dict[str, object], requested: dict[str, object]) -> None:
    """Idempotency: a retry must repeat the original exactly, or it is a conflict."""
    different = sorted(key for key, value in requested.items() if stored.get(key) != value)
    if different:
        raise TransferExists(details={"fields": different})


def content_hash(
    *,
    id: uuid.UUID,
    kind: str,
    debit_account_id: int,
    credit_account_id: int,
    amount_paise: int,
    pending_id: uuid.UUID | None,
    code: str,
    reference: str,
    timeout_at: datetime | None,
    created_at: datetime,
) -> str:
    """SHA-256 of a transfer's content; any edit of a stored row changes it."""
    parts = [
        str(id),
        kind,
        str(debit_account_id),
        str(credit_account_id),
        str(amount_paise),
        str(pending_id) if pending_id else "",
        code,
        reference,
        str(micros(timeout_at)) if timeout_at else "",
        str(micros(created_at)),
    ]
    return chain.digest(parts)
