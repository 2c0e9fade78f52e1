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
- Top-ups have a batch path too (``wallets_open_batch``, ``topups_request_batch``,
  ``topups_approve_batch``): the single path's rules, all or nothing, one engine call
  for every credit. Both paths take ``now`` to date a simulated day's top-ups.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from sahayata.audit.services import EventSpec, events_record_batch
from sahayata.catalogue.models import Department
from sahayata.core import dialect
from sahayata.core.memo import Memo
from sahayata.core.retry import retried_on_contention
from sahayata.core.savepoints import atomic_step
from sahayata.ledgerlog.salts import log_salt_new
from sahayata.people import policy
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
    ReasonRequired,
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

T = TypeVar("T")

__all__ = [
    "ExpireSpec",
    "PostSpec",
    "TopUpRequestSpec",
    "TransferSpec",
    "VoidSpec",
    "expiry_transfer_id",
    "holds_expire",
    "payee_account",
    "system_account",
    "topup_approve",
    "topup_reject",
    "topup_request",
    "topup_transfer_id",
    "topups_approve_batch",
    "topups_request_batch",
    "transfer_post",
    "transfer_void",
    "transfers_apply",
    "transfers_create",
    "transfers_create_batch",
    "wallet_open",
    "wallets_open_batch",
]

TOPUP_NAMESPACE = uuid.UUID("0b7a4c1e-2f7d-4e0a-8f55-3c1d9e6a2b40")
_BANK_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-]{3,63}$")
# Rows per bulk statement and ids per IN (...) list: well below SQLite's bound on
# parameters, and the same statement shape whatever the batch size.
_CHUNK = 500


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for offset in range(0, len(items), _CHUNK):
        yield items[offset : offset + _CHUNK]


# --- transfers -------------------------------------------------------------------------


@retried_on_contention
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


def _only_transfer(outcomes: list[Outcome]) -> Transfer:
    """The transfer of a linked run of one operation (a refusal was raised already)."""
    transfer = outcomes[0].transfer if outcomes else None
    if transfer is None:
        raise RuntimeError("the wallet engine applied a linked operation but returned no transfer")
    return transfer


@retried_on_contention
def transfer_post(
    *, id: uuid.UUID, pending_id: uuid.UUID, amount_paise: int | None = None
) -> Transfer:
    """Post a hold in full (``amount_paise=None``) or in part, exactly once."""
    outcomes = engine.run(
        [PostSpec(id=id, pending_id=pending_id, amount_paise=amount_paise)], linked=True
    )
    return _only_transfer(outcomes)


@retried_on_contention
def transfer_void(*, id: uuid.UUID, pending_id: uuid.UUID) -> Transfer:
    """Void a hold, exactly once: the money goes back to the wallet."""
    outcomes = engine.run([VoidSpec(id=id, pending_id=pending_id)], linked=True)
    return _only_transfer(outcomes)


@retried_on_contention
def transfers_apply(*, ops: Sequence[Operation], now: datetime | None = None) -> list[Outcome]:
    """The batch path with one outcome per operation: independent transfers, posts and voids
    in one transaction. A refused operation writes nothing and does not stop the others."""
    if not ops:
        return []
    return engine.run(list(ops), linked=False, now=now)


@retried_on_contention
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


@retried_on_contention
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


def _wallet_fields(centre: Centre) -> dict[str, object]:
    """A centre wallet's account: a limited account (never below zero), coded ``W-<centre>``."""
    return {
        "code": f"W-{centre.code}",
        "kind": AccountKind.CENTRE_WALLET,
        "centre": centre,
        "debits_must_not_exceed_credits": True,
    }


def wallet_open(*, centre: Centre) -> Account:
    """Get or create the centre's wallet: a limited account (never below zero)."""
    account = Account.objects.filter(centre=centre).first()
    if account is not None:
        return account
    fields = _wallet_fields(centre)
    with transaction.atomic():
        account, _created = Account.objects.get_or_create(code=fields.pop("code"), defaults=fields)
    return account


def _wallet_ids(centre_ids: Iterable[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(centre_ids)):
        found.update(Account.objects.filter(centre_id__in=chunk).values_list("centre_id", "pk"))
    return found


def wallets_open_batch(*, centres: Sequence[Centre]) -> dict[int, int]:
    """Get or create many centres' wallets at once: centre id → wallet account id.

    The same accounts as ``wallet_open``; the missing ones in one bulk insert that skips a
    wallet another transaction created meanwhile, so it is safe to repeat and to race."""
    wanted = {centre.pk: centre for centre in centres}
    found = _wallet_ids(wanted)
    missing = [wanted[pk] for pk in sorted(wanted) if pk not in found]
    if not missing:
        return found
    with transaction.atomic():
        Account.objects.bulk_create(
            [Account(**_wallet_fields(centre)) for centre in missing],
            batch_size=_CHUNK,
            ignore_conflicts=True,
        )
        found.update(_wallet_ids(centre.pk for centre in missing))
    for centre in missing:
        if centre.pk not in found:
            # Its code W-<centre> names another centre's account (a renamed centre's code
            # reused): never credit that one.
            raise WalletError(details={"centre": centre.code, "wallet": "code already taken"})
    return found


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


def _payee_code(*, payee: str, department: Department | None, adapter_code: str) -> str | None:
    """The code of the account ``payee_account`` would return (None: let it say why not)."""
    if payee == "treasury":
        return SYSTEM_ACCOUNTS[AccountKind.TREASURY]
    if payee == "department" and department is not None:
        return f"DEPT-{department.code}"
    if payee == "biller" and adapter_code:
        return f"BILLER-{adapter_code}"
    return None


# Account ids by ("centre", centre id) for a centre's wallet and ("code", code) for a
# system or payee account, kept once the transaction that read them has committed.
_account_ids: Memo[int] = Memo("wallet.account_ids", size=16384)


def hold_accounts(
    *,
    centre: Centre,
    payees: Iterable[str],
    department: Department | None = None,
    adapter_code: str = "",
) -> tuple[int, dict[str, int]]:
    """The centre's wallet id and each payee's account id (as ``wallet_open`` and
    ``payee_account`` give them), in one query when they all exist, as they do on a
    submission's hot path; the missing ones are created by those two."""
    codes = {
        payee: _payee_code(payee=payee, department=department, adapter_code=adapter_code)
        for payee in set(payees)
    }
    # An account is opened once and never deleted: its id, once seen, is kept (core.memo).
    known_wallet = _account_ids.get(("centre", centre.pk))
    known = {payee: _account_ids.get(("code", code)) for payee, code in codes.items() if code}
    if known_wallet is not None and len(known) == len(codes) and None not in known.values():
        return known_wallet, {payee: pk for payee, pk in known.items() if pk is not None}
    rows = list(
        Account.objects.filter(
            Q(centre=centre) | Q(code__in=[code for code in codes.values() if code])
        ).values_list("pk", "centre_id", "code")
    )
    wallets = sorted(pk for pk, centre_id, _code in rows if centre_id == centre.pk)
    by_code = {code: pk for pk, centre_id, code in rows if centre_id is None}
    wallet_id = wallets[0] if wallets else wallet_open(centre=centre).pk
    payee_ids = {
        payee: by_code.get(code or "")
        or payee_account(payee=payee, department=department, adapter_code=adapter_code).pk
        for payee, code in codes.items()
    }
    found: dict[tuple[str, int | str], int] = {("centre", centre.pk): wallet_id}
    found.update({("code", code): payee_ids[payee] for payee, code in codes.items() if code})
    # Kept once committed: a row read (or opened) in this transaction may still roll back.
    transaction.on_commit(lambda: [_account_ids.put(key, pk) for key, pk in found.items()])
    return wallet_id, payee_ids


# --- top-ups (maker-checker) -------------------------------------------------------------


@dataclass(frozen=True)
class TopUpRequestSpec:
    """One top-up for ``topups_request_batch``: the arguments of ``topup_request``."""

    centre: Centre
    amount_paise: int
    bank_reference: str
    requested_by: User


def _validate_bank_reference(value: object) -> str:
    if not isinstance(value, str) or not _BANK_REFERENCE.match(value.strip()):
        raise InvalidBankReference()
    return value.strip().upper()


def _checked_request(spec: TopUpRequestSpec) -> TopUp:
    """The request rules of both paths: the centre's operator or supervisor asks, a valid
    amount, a valid bank reference (normalised to upper case). Not saved yet."""
    user = spec.requested_by
    reach = policy.scope(user, "topup.request")
    if not reach.covers(centre_id=spec.centre.pk, district_id=spec.centre.district_id):
        raise WalletForbidden()
    amount = rules.validate_amount(spec.amount_paise)
    reference = _validate_bank_reference(spec.bank_reference)
    return TopUp(
        centre=spec.centre,
        amount_paise=amount,
        bank_reference=reference,
        requested_by=user,
        log_salt=log_salt_new(),
    )


def _first_used_reference(references: Sequence[str]) -> str | None:
    """The first of ``references`` (in their order) that a top-up uses already, if any."""
    used: set[str] = set()
    for chunk in _chunks(references):
        used.update(
            TopUp.objects.filter(bank_reference__in=chunk).values_list("bank_reference", flat=True)
        )
    return next((reference for reference in references if reference in used), None)


def _topups_insert(topups: list[TopUp], *, now: datetime | None) -> list[TopUp]:
    """Save checked requests, all or none: a bank reference used twice in ``topups`` or
    already used in the database refuses them all; each centre's wallet is opened."""
    references = [topup.bank_reference for topup in topups]
    seen: set[str] = set()
    for reference in references:
        if reference in seen:
            raise DuplicateBankReference(details={"bank_reference": reference})
        seen.add(reference)
    used = _first_used_reference(references)
    if used is not None:
        raise DuplicateBankReference(details={"bank_reference": used})
    try:
        with transaction.atomic():
            wallets_open_batch(centres=[topup.centre for topup in topups])
            created = TopUp.objects.bulk_create(topups, batch_size=_CHUNK)
            if now is not None:
                # requested_at is auto_now_add: the insert stamps the clock, so re-date it.
                for chunk in _chunks([topup.pk for topup in created]):
                    TopUp.objects.filter(pk__in=chunk).update(requested_at=now)
                for topup in created:
                    topup.requested_at = now
            _topups_audit("topup.request", created, actor=None, before=None, at=now)
    except IntegrityError as error:
        # A concurrent request took one of the references between the check and the insert.
        used = _first_used_reference(references)
        if used is not None:
            raise DuplicateBankReference(details={"bank_reference": used}) from error
        raise
    return created


def _topup_audited(topup: TopUp) -> dict[str, object]:
    return {
        "centre": topup.centre.code,
        "amount_paise": topup.amount_paise,
        "bank_reference": topup.bank_reference,
        "status": topup.status,
        "decided_by_id": topup.decided_by_id,
        "transfer_id": topup.transfer_id,
        "reject_reason": topup.reject_reason,
    }


def _topups_audit(
    action: str,
    topups: Sequence[TopUp],
    *,
    actor: User | None,
    before: dict[str, object] | None,
    at: datetime | None,
) -> None:
    """One audit event per top-up written, in one insert (``actor`` None: its requester)."""
    events_record_batch(
        events=[
            EventSpec(
                action,
                "topup",
                topup.pk,
                actor=actor or topup.requested_by,
                before=before,
                after=_topup_audited(topup),
                at=at,
            )
            for topup in topups
        ]
    )


def topup_request(
    *,
    centre: Centre,
    amount_paise: int,
    bank_reference: str,
    requested_by: User,
    now: datetime | None = None,
) -> TopUp:
    """A centre's operator or supervisor asks for a top-up; no money moves yet.
    ``now`` dates the request (the simulator's day); default: the clock."""
    spec = TopUpRequestSpec(
        centre=centre,
        amount_paise=amount_paise,
        bank_reference=bank_reference,
        requested_by=requested_by,
    )
    return _topups_insert([_checked_request(spec)], now=now)[0]


def topups_request_batch(
    *, requests: Sequence[TopUpRequestSpec], now: datetime | None = None
) -> list[TopUp]:
    """Many top-up requests in one transaction with one bulk insert, through the rules of
    ``topup_request``: one refused request (its error's details carry its ``index``) or
    one reused bank reference refuses the whole batch. Returned in the order given."""
    checked: list[TopUp] = []
    for index, spec in enumerate(requests):
        try:
            checked.append(_checked_request(spec))
        except WalletError as error:
            error.details = {**error.details, "index": index}
            raise
    if not checked:
        return []
    return _topups_insert(checked, now=now)


def _topup_key(topup_id: object) -> uuid.UUID:
    try:
        return topup_id if isinstance(topup_id, uuid.UUID) else uuid.UUID(str(topup_id))
    except ValueError as error:
        raise TopUpNotFound() from error


def _locked_topups(keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, TopUp]:
    """Lock the top-ups in primary-key order (two batches never deadlock), with their
    centres; ``TopUpNotFound`` if any is missing."""
    found: dict[uuid.UUID, TopUp] = {}
    for chunk in _chunks(sorted(set(keys))):
        rows = (
            TopUp.objects.select_for_update(of=("self",))
            .select_related("centre")
            .filter(pk__in=chunk)
            .order_by("pk")
        )
        found.update((topup.pk, topup) for topup in rows)
    missing = next((key for key in keys if key not in found), None)
    if missing is not None:
        raise TopUpNotFound(details={"topup_id": str(missing)} if len(keys) > 1 else None)
    return found


def _locked_topup(topup_id: uuid.UUID | str) -> TopUp:
    key = _topup_key(topup_id)
    return _locked_topups([key])[key]


def _check_approvable(topup: TopUp, approved_by: User) -> None:
    """Maker-checker: the approver did not request it, and it still waits for a decision."""
    if topup.requested_by_id == approved_by.pk:
        raise SamePerson()
    if topup.status != TopUp.Status.REQUESTED:
        raise TopUpNotPending(details={"status": topup.status})


def topup_transfer_id(topup: TopUp) -> uuid.UUID:
    """The id of a top-up's credit transfer, derived from the top-up: credited once."""
    return uuid.uuid5(TOPUP_NAMESPACE, str(topup.pk))


def _credit(
    topups: list[TopUp],
    *,
    approved_by: User,
    now: datetime | None,
    transfer_ids: Sequence[uuid.UUID],
) -> None:
    """Credit checked, locked top-ups: one engine call for every transfer, then one bulk
    update of the rows. Call inside ``transaction.atomic``."""
    wallets = wallets_open_batch(centres=[topup.centre for topup in topups])
    funding = system_account(kind=AccountKind.FUNDING_BANK)
    engine.run(
        [
            TransferSpec(
                id=transfer_id,
                debit_account_id=funding.pk,
                credit_account_id=wallets[topup.centre_id],
                amount_paise=topup.amount_paise,
                code=TransferCode.TOPUP,
                reference=f"topup:{topup.bank_reference}",
            )
            for topup, transfer_id in zip(topups, transfer_ids, strict=True)
        ],
        linked=True,
        now=now,
    )
    decided_at = now or timezone.now()
    for topup, transfer_id in zip(topups, transfer_ids, strict=True):
        topup.status = TopUp.Status.CREDITED
        topup.decided_by = approved_by
        topup.decided_at = decided_at
        topup.transfer_id = transfer_id
    _save_decisions(topups)
    _topups_audit(
        "topup.approve",
        topups,
        actor=approved_by,
        before={"status": TopUp.Status.REQUESTED},
        at=now,
    )


_DECISION_FIELDS = ("status", "decided_by", "decided_at", "transfer_id")


def _save_decisions(topups: list[TopUp]) -> None:
    """One statement for every row: ``bulk_update``'s CASE expressions cost seconds of
    Python for a few thousand rows."""
    fields = [field for field in TopUp._meta.concrete_fields if field.name in _DECISION_FIELDS]
    pk = TopUp._meta.pk
    if pk is None:  # every concrete model has one; this tells mypy so
        raise RuntimeError("TopUp has no primary key")
    rows = [
        [field.get_db_prep_save(getattr(topup, field.attname), connection) for field in fields]
        + [pk.get_db_prep_value(topup.pk, connection)]
        for topup in topups
    ]
    dialect.rows_update_each(TopUp, [field.column for field in fields], rows)


@retried_on_contention
def topup_approve(
    *,
    topup_id: uuid.UUID | str,
    approved_by: User,
    transfer_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> TopUp:
    """A finance officer who did not request it credits the wallet, exactly once.
    ``now`` dates the transfer and the decision (the simulator's day); default: the clock."""
    if not policy.allows(approved_by, "topup.decide"):
        raise WalletForbidden()
    with atomic_step():  # no savepoint inside the API's own (refusals_undone_here)
        topup = _locked_topup(topup_id)
        _check_approvable(topup, approved_by)
        _credit(
            [topup],
            approved_by=approved_by,
            now=now,
            transfer_ids=[transfer_id or topup_transfer_id(topup)],
        )
    return topup


@retried_on_contention
def topups_approve_batch(
    *, topup_ids: Sequence[uuid.UUID | str], approved_by: User, now: datetime | None = None
) -> list[TopUp]:
    """Approve many top-ups at once through the rules of ``topup_approve``, all or none:
    the rows locked in primary-key order, one engine call for every credit (the same
    transfer ids as one by one), one bulk update. A refusal's details name the top-up.
    Returned in the order given."""
    if not policy.allows(approved_by, "topup.decide"):
        raise WalletForbidden()
    keys = [_topup_key(topup_id) for topup_id in topup_ids]
    if len(set(keys)) != len(keys):
        raise InvalidTransfer(details={"topup_ids": "each top-up at most once"})
    if not keys:
        return []
    with transaction.atomic():
        locked = _locked_topups(keys)
        topups = [locked[key] for key in keys]
        for topup in topups:
            try:
                _check_approvable(topup, approved_by)
            except WalletError as error:
                error.details = {**error.details, "topup_id": str(topup.pk)}
                raise
        _credit(
            topups,
            approved_by=approved_by,
            now=now,
            transfer_ids=[topup_transfer_id(topup) for topup in topups],
        )
    return topups


@retried_on_contention
def topup_reject(*, topup_id: uuid.UUID | str, rejected_by: User, reason: str = "") -> TopUp:
    """A finance officer refuses a top-up (for example, no such credit at the bank), always
    with a reason: the centre and the auditor read it in the history of decisions."""
    if not policy.allows(rejected_by, "topup.decide"):
        raise WalletForbidden()
    if not isinstance(reason, str) or len(reason) > 200:
        raise InvalidTransfer(details={"reason": "at most 200 characters"})
    with transaction.atomic():
        topup = _locked_topup(topup_id)
        if topup.status != TopUp.Status.REQUESTED:
            raise TopUpNotPending(details={"status": topup.status})
        if not reason.strip():
            raise ReasonRequired(details={"fields": [{"field": "reason", "problem": "required"}]})
        topup.status = TopUp.Status.REJECTED
        topup.decided_by = rejected_by
        topup.decided_at = timezone.now()
        topup.reject_reason = reason.strip()
        topup.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
        _topups_audit(
            "topup.reject",
            [topup],
            actor=rejected_by,
            before={"status": TopUp.Status.REQUESTED},
            at=None,
        )
    return topup


__all__ += ["WalletError"]
