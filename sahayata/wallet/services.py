"""Writes of the e-wallet: transfers (single, holds, posts, voids), accounts, top-ups.

Accounting conventions (see ``models`` for the hot-account and hash-chain design):

- A centre wallet's balance is ``credits_posted − debits_posted``; held money is
  ``debits_pending``; available = balance − held, and never below zero.
- A top-up debits the funding bank account and credits the wallet, once, when a
  finance officer who is not the requester approves it (maker-checker).
- A service fee is a hold: it debits the wallet and credits the payee as *pending*.
  ``transfer_post`` moves the posted amount to posted on both sides and releases the
  rest; ``transfer_void`` and the sweeper's expiry release all of it.
- Every transfer id is chosen by the client and is idempotent: the same id with the
  same fields returns the original row; with other fields it is a 409
  ``transfer_exists_with_different_fields``.
- ``transfers_create`` is a linked chain: all legs or none. The batch path
  (``transfers_apply``, ``transfers_create_batch``) runs many independent operations in
  one transaction through the same rules, with one bulk insert.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from sahayata.catalogue.models import Department
from sahayata.people.models import Role
from sahayata.places.models import Centre
from sahayata.wallet import engine, rules
from sahayata.wallet.engine import (
    ExpireSpec,
    Operation,
    Outcome,
    PostSpec,
    TransferSpec,
    VoidSpec,
    expiry_transfer_id,
)
from sahayata.wallet.errors import (
    AccountNotFound,
    DuplicateBankReference,
    InvalidBankReference,
    InvalidTransfer,
    SamePerson,
    TopUpNotFound,
    TopUpNotPending,
    TransfersRejected,
    WalletError,
    WalletForbidden,
)
from sahayata.wallet.models import (
    STRIPES,
    Account,
    AccountKind,
    AccountStripe,
    HoldTimeout,
    TopUp,
    Transfer,
    TransferCode,
)

if TYPE_CHECKING:
    from sahayata.people.models import User

__all__ = [
    "ExpireSpec",
    "PostSpec",
    "TransferSpec",
    "VoidSpec",
    "expiry_transfer_id",
    "holds_expire",
    "payee_account",
    "system_account",
    "topup_approve",
    "topup_reject",
    "topup_request",
    "transfer_post",
    "transfer_void",
    "transfers_apply",
    "transfers_create",
    "transfers_create_batch",
    "wallet_open",
]

TOPUP_NAMESPACE = uuid.UUID("0b7a4c1e-2f7d-4e0a-8f55-3c1d9e6a2b40")
_BANK_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-]{3,63}$")
# --- transfers -------------------------------------------------------------------------


def transfers_create(
    *, specs: Sequence[TransferSpec | PostSpec | VoidSpec], linked: bool = True
) -> list[Transfer]:
    """Create transfers atomically. Linked (default): every leg or none, the first error is
    raised. A chain may also post or void holds (``PostSpec``, ``VoidSpec``): posting every
    fee head of an application in one call takes its wallet lock once.
    ``linked=False`` is the batch path's semantics (see ``transfers_create_batch``)."""
    if not linked:
        return transfers_create_batch(specs=specs)
    if not specs:
        raise InvalidTransfer(details={"specs": "at least one transfer"})
    for spec in specs:
        if not isinstance(spec, TransferSpec | PostSpec | VoidSpec):
            raise InvalidTransfer(details={"specs": "TransferSpec, PostSpec or VoidSpec expected"})
    outcomes = engine.run(list(specs), linked=True)
    return [outcome.transfer for outcome in outcomes if outcome.transfer is not None]


def transfer_post(
    *, id: uuid.UUID, pending_id: uuid.UUID, amount_paise: int | None = None
) -> Transfer:
    """Post a hold in full (``amount_paise=None``) or in part, exactly once."""
    outcomes = engine.run(
        [PostSpec(id=id, pending_id=pending_id, amount_paise=amount_paise)], linked=True
    )
    assert outcomes[0].transfer is not None
    return outcomes[0].transfer


def transfer_void(*, id: uuid.UUID, pending_id: uuid.UUID) -> Transfer:
    """Void a hold, exactly once: the money goes back to the wallet."""
    outcomes = engine.run([VoidSpec(id=id, pending_id=pending_id)], linked=True)
    assert outcomes[0].transfer is not None
    return outcomes[0].transfer


def transfers_apply(*, ops: Sequence[Operation], now: datetime | None = None) -> list[Outcome]:
    """The batch path with one outcome per operation: independent transfers, posts and voids
    in one transaction. A refused operation writes nothing and does not stop the others."""
    if not ops:
        return []
    return engine.run(list(ops), linked=False, now=now)


def transfers_create_batch(*, specs: Sequence[Operation]) -> list[Transfer]:
    """Many independent operations in one transaction, through the same rules, with one bulk
    insert. If any is refused, nothing is written and ``TransfersRejected`` lists them."""
    if not specs:
        return []

    with transaction.atomic():  # so that a refusal below rolls the whole batch back
        outcomes = engine.run(list(specs), linked=False)
        failed = [
            {"index": index, "code": outcome.error.code}
            for index, outcome in enumerate(outcomes)
            if outcome.error is not None
        ]
        if failed:
            raise TransfersRejected(details={"failed": failed})
    return [outcome.transfer for outcome in outcomes if outcome.transfer is not None]


def holds_expire(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Void the holds whose timeout has passed; return how many this call voided.

    Safe to run concurrently and repeatedly: each expiry has an id derived from its hold,
    so two sweepers racing for the same hold produce one void between them.
    """
    now = now or timezone.now()
    due = list(
        HoldTimeout.objects.filter(timeout_at__lte=now)
        .order_by("timeout_at")
        .values_list("hold_id", flat=True)[:limit]
    )
    if not due:
        return 0
    outcomes = transfers_apply(ops=[ExpireSpec(pending_id=hold_id) for hold_id in due], now=now)
    return sum(1 for outcome in outcomes if outcome.created)


# --- accounts --------------------------------------------------------------------------


def _hot_account(*, code: str, kind: str, department: Department | None = None) -> Account:
    account = Account.objects.filter(code=code).first()
    if account is not None:
        return account
    with transaction.atomic():
        account, created = Account.objects.get_or_create(
            code=code, defaults={"kind": kind, "department": department, "hot": True}
        )
        if created:
            AccountStripe.objects.bulk_create(
                [AccountStripe(account=account, stripe_no=n) for n in range(STRIPES)]
            )
    return account


SYSTEM_ACCOUNTS = {
    AccountKind.TREASURY: "TREASURY",
    AccountKind.FUNDING_BANK: "FUNDING-BANK",
    AccountKind.REFUNDS: "REFUNDS",
}


def system_account(*, kind: str) -> Account:
    """The single treasury, funding bank or refunds account (get or create)."""
    if kind not in SYSTEM_ACCOUNTS:
        raise AccountNotFound(details={"kind": kind})
    return _hot_account(code=SYSTEM_ACCOUNTS[AccountKind(kind)], kind=kind)


def wallet_open(*, centre: Centre) -> Account:
    """Get or create the centre's wallet: a limited account (never below zero)."""
    account = Account.objects.filter(centre=centre).first()
    if account is not None:
        return account
    with transaction.atomic():
        account, _created = Account.objects.get_or_create(
            code=f"W-{centre.code}",
            defaults={
                "kind": AccountKind.CENTRE_WALLET,
                "centre": centre,
                "debits_must_not_exceed_credits": True,
            },
        )
    return account


def payee_account(
    *, payee: str, department: Department | None = None, adapter_code: str = ""
) -> Account:
    """The account a fee head pays into (``FeeHead.Payee``): treasury, the department's
    receivable, or the biller's receivable keyed by its adapter code. Get or create."""
    if payee == "treasury":
        return system_account(kind=AccountKind.TREASURY)
    if payee == "department":
        if department is None:
            raise InvalidTransfer(details={"department": "a department payee needs a department"})
        return _hot_account(
            code=f"DEPT-{department.code}",
            kind=AccountKind.DEPARTMENT_RECEIVABLE,
            department=department,
        )
    if payee == "biller":
        if not adapter_code:
            raise InvalidTransfer(details={"adapter_code": "a biller payee needs an adapter code"})
        return _hot_account(
            code=f"BILLER-{adapter_code}", kind=AccountKind.BILLER_RECEIVABLE, department=department
        )
    raise InvalidTransfer(details={"payee": str(payee)[:40]})


# --- top-ups (maker-checker) -------------------------------------------------------------


def _validate_bank_reference(value: object) -> str:
    if not isinstance(value, str) or not _BANK_REFERENCE.match(value.strip()):
        raise InvalidBankReference()
    return value.strip().upper()


def topup_request(
    *, centre: Centre, amount_paise: int, bank_reference: str, requested_by: User
) -> TopUp:
    """A centre's operator or supervisor asks for a top-up; no money moves yet."""
    if not (
        requested_by.has_role(Role.OPERATOR, Role.SUPERVISOR)
        and requested_by.centre_id == centre.pk
    ):
        raise WalletForbidden()
    amount = rules.validate_amount(amount_paise)
    reference = _validate_bank_reference(bank_reference)
    if TopUp.objects.filter(bank_reference=reference).exists():
        raise DuplicateBankReference(details={"bank_reference": reference})
    try:
        with transaction.atomic():
            wallet_open(centre=centre)
            return TopUp.objects.create(
                centre=centre,
                amount_paise=amount,
                bank_reference=reference,
                requested_by=requested_by,
            )
    except IntegrityError as error:
        if TopUp.objects.filter(bank_reference=reference).exists():
            raise DuplicateBankReference(details={"bank_reference": reference}) from error
        raise


def _locked_topup(topup_id: uuid.UUID | str) -> TopUp:
    try:
        key = topup_id if isinstance(topup_id, uuid.UUID) else uuid.UUID(str(topup_id))
    except ValueError as error:
        raise TopUpNotFound() from error
    topup = TopUp.objects.select_for_update().filter(pk=key).first()
    if topup is None:
        raise TopUpNotFound()
    return topup


def topup_approve(
    *, topup_id: uuid.UUID | str, approved_by: User, transfer_id: uuid.UUID | None = None
) -> TopUp:
    """A finance officer who did not request it credits the wallet, exactly once."""
    if not approved_by.has_role(Role.FINANCE):
        raise WalletForbidden()
    with transaction.atomic():
        topup = _locked_topup(topup_id)
        if topup.requested_by_id == approved_by.pk:
            raise SamePerson()
        if topup.status != TopUp.Status.REQUESTED:
            raise TopUpNotPending(details={"status": topup.status})
        wallet = wallet_open(centre=topup.centre)
        funding = system_account(kind=AccountKind.FUNDING_BANK)
        transfer_id = transfer_id or uuid.uuid5(TOPUP_NAMESPACE, str(topup.pk))
        engine.run(
            [
                TransferSpec(
                    id=transfer_id,
                    debit_account_id=funding.pk,
                    credit_account_id=wallet.pk,
                    amount_paise=topup.amount_paise,
                    code=TransferCode.TOPUP,
                    reference=f"topup:{topup.bank_reference}",
                )
            ],
            linked=True,
        )
        topup.status = TopUp.Status.CREDITED
        topup.decided_by = approved_by
        topup.decided_at = timezone.now()
        topup.transfer_id = transfer_id
        topup.save(update_fields=["status", "decided_by", "decided_at", "transfer_id"])
    return topup


def topup_reject(*, topup_id: uuid.UUID | str, rejected_by: User, reason: str = "") -> TopUp:
    """A finance officer refuses a top-up (for example, no such credit at the bank)."""
    if not rejected_by.has_role(Role.FINANCE):
        raise WalletForbidden()
    if not isinstance(reason, str) or len(reason) > 200:
        raise InvalidTransfer(details={"reason": "at most 200 characters"})
    with transaction.atomic():
        topup = _locked_topup(topup_id)
        if topup.status != TopUp.Status.REQUESTED:
            raise TopUpNotPending(details={"status": topup.status})
        topup.status = TopUp.Status.REJECTED
        topup.decided_by = rejected_by
        topup.decided_at = timezone.now()
        topup.reject_reason = reason.strip()
        topup.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
    return topup


__all__ += ["WalletError"]
