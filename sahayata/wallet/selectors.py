"""Reads of the e-wallet: whose wallet a user may see, balances, statements with a running
balance, daily closings, top-ups."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sahayata.core.dbrouter import replica_read
from sahayata.core.text import has_control_characters
from sahayata.people.roles import centre_scope
from sahayata.places.models import Centre
from sahayata.wallet.models import (
    Account,
    AccountKind,
    AccountStripe,
    TopUp,
    Transfer,
    TransferCode,
    TransferKind,
)

POSTED_KINDS = (TransferKind.SINGLE, TransferKind.POST_PENDING)


@dataclass(frozen=True)
class Totals:
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int


@dataclass(frozen=True)
class WalletBalance:
    balance_paise: int
    held_paise: int
    available_paise: int


@dataclass(frozen=True)
class StatementEntry:
    at: datetime
    transfer_id: uuid.UUID
    kind: str  # the transfer code: topup, service_fee, refund …
    reference: str
    amount_paise: int  # signed: + credit to this account, − debit from it
    balance_paise: int  # running balance after this entry

    @property
    def kind_label(self) -> str:
        return str(TransferCode(self.kind).label) if self.kind in TransferCode.values else self.kind


class Movement(models.TextChoices):
    """What a statement line did to the wallet, in the words a centre reads."""

    CREDIT = "credit", _("Credited")
    DEBIT = "debit", _("Paid")
    HOLD = "hold", _("Fee held")
    POST = "post", _("Paid to the payee")
    REFUND = "refund", _("Refunded (hold released)")
    EXPIRY = "expiry", _("Hold expired, refunded")


@dataclass(frozen=True)
class StatementLine:
    """One transfer touching the wallet, holds included. ``balance_paise`` is the posted
    balance after it, ``held_paise`` what holds still keep, ``available_paise`` the rest."""

    at: datetime
    transfer_id: uuid.UUID
    kind: str  # the transfer code: topup, service_fee, expiry …
    movement: str  # a ``Movement``
    reference: str  # an application number for a fee, ``topup:<bank reference>`` …
    posted_change_paise: int  # signed change of the posted balance
    held_change_paise: int  # signed change of the money held
    balance_paise: int
    held_paise: int
    payee_kind: str  # the other account's kind (treasury, department receivable …)

    @property
    def available_change_paise(self) -> int:
        return self.posted_change_paise - self.held_change_paise

    @property
    def available_paise(self) -> int:
        return self.balance_paise - self.held_paise

    @property
    def movement_label(self) -> str:
        return str(Movement(self.movement).label)

    @property
    def kind_label(self) -> str:
        return str(TransferCode(self.kind).label) if self.kind in TransferCode.values else self.kind

    @property
    def application_no(self) -> str:
        return (
            self.reference if self.kind in (TransferCode.SERVICE_FEE, TransferCode.EXPIRY) else ""
        )

    @property
    def payee_label(self) -> str:
        return (
            str(AccountKind(self.payee_kind).label) if self.payee_kind in AccountKind.values else ""
        )

    def description(self) -> str:
        """The line in the active language: what happened, to which application."""
        number = self.application_no
        texts = {
            Movement.HOLD: _("Fee held for application %(no)s"),
            Movement.POST: _("Fee of application %(no)s paid to the payee (%(payee)s)"),
            Movement.REFUND: _("Fee of application %(no)s refunded to the wallet"),
            Movement.EXPIRY: _("Hold of application %(no)s expired; fee refunded to the wallet"),
        }
        if number and self.movement in texts:
            return str(texts[Movement(self.movement)]) % {"no": number, "payee": self.payee_label}
        if self.kind == TransferCode.TOPUP:
            return str(_("Top-up, bank reference %(ref)s")) % {
                "ref": self.reference.removeprefix("topup:")
            }
        return f"{self.kind_label} {self.reference}".strip()


@dataclass(frozen=True)
class DailyBalance:
    day: date
    closing_paise: int


def account_totals(*, account: Account) -> Totals:
    """The four counters; for a hot account, the row plus the sum of its stripes."""
    row = Account.objects.values(
        "debits_posted", "credits_posted", "debits_pending", "credits_pending"
    ).get(pk=account.pk)
    if account.hot:
        sums = AccountStripe.objects.filter(account_id=account.pk).aggregate(
            dp=Sum("debits_posted"),
            cp=Sum("credits_posted"),
            dpe=Sum("debits_pending"),
            cpe=Sum("credits_pending"),
        )
        row["debits_posted"] += sums["dp"] or 0
        row["credits_posted"] += sums["cp"] or 0
        row["debits_pending"] += sums["dpe"] or 0
        row["credits_pending"] += sums["cpe"] or 0
    return Totals(**row)


def wallet_balance(*, account: Account) -> WalletBalance:
    totals = account_totals(account=account)
    balance = totals.credits_posted - totals.debits_posted
    held = totals.debits_pending
    return WalletBalance(balance_paise=balance, held_paise=held, available_paise=balance - held)


def wallets_available(*, account_ids: Sequence[int]) -> dict[int, int]:
    """What each limited wallet can still spend (posted credits - posted debits - held),
    for many wallets in one plain query (the simulator asks for thousands every day)."""
    ids = sorted(set(account_ids))
    found: dict[int, int] = {}
    available = F("credits_posted") - F("debits_posted") - F("debits_pending")
    for start in range(0, len(ids), 10_000):
        found.update(
            Account.objects.filter(hot=False, id__in=ids[start : start + 10_000])
            .annotate(available=available)
            .values_list("id", "available")
        )
    return found


def centres_visible(*, user: Any) -> QuerySet[Centre]:
    """The centres whose records (wallet, statement, top-ups) ``user`` may see: the one
    rule (``people.roles.centre_scope``) for the pages, the API and the CSV exports."""
    return Centre.objects.filter(centre_scope(user).q(centre="pk", district="district_id"))


def centre_visible(*, user: Any, code: str) -> Centre | None:
    """The centre with this code if ``user`` may see its records; None otherwise, whether
    it does not exist or is not theirs (the two are never told apart)."""
    # A code with a control character names no centre (and PostgreSQL refuses NUL in text).
    if not code or has_control_characters(code):
        return None
    own = _centre_loaded(user)
    if own is not None and own.code == code:
        # The user's own centre, read with the user: the same rule, without a query.
        scope = centre_scope(user)
        return own if scope.covers(centre_id=own.pk, district_id=own.district_id) else None
    return centres_visible(user=user).select_related("district").filter(code=code).first()


def _centre_loaded(user: Any) -> Centre | None:
    """``user``'s centre (with its district) if it was read with the user, else None."""
    meta = getattr(user, "_meta", None)  # None for an anonymous user
    field = meta.get_field("centre") if meta is not None else None
    if field is None or not field.is_cached(user):
        return None
    centre = field.get_cached_value(user)
    if centre is None or not Centre._meta.get_field("district").is_cached(centre):
        return None
    return centre


def centre_wallet(*, centre: Centre) -> Account | None:
    return Account.objects.filter(centre=centre).first()


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def balance_before(*, account: Account, moment: datetime) -> int:
    """The posted balance (credits − debits) just before ``moment``."""
    earlier = Transfer.objects.filter(kind__in=POSTED_KINDS, created_at__lt=moment)
    credits = earlier.filter(credit_account_id=account.pk).aggregate(s=Sum("amount_paise"))["s"]
    debits = earlier.filter(debit_account_id=account.pk).aggregate(s=Sum("amount_paise"))["s"]
    return (credits or 0) - (debits or 0)


def held_before(*, account: Account, moment: datetime) -> int:
    """What the wallet's holds kept just before ``moment``: holds placed before it, less
    those resolved (posted, voided, expired) before it."""
    placed = Transfer.objects.filter(
        kind=TransferKind.PENDING, debit_account_id=account.pk, created_at__lt=moment
    ).aggregate(s=Sum("amount_paise"))["s"]
    resolved = Transfer.objects.filter(
        kind__in=(TransferKind.POST_PENDING, TransferKind.VOID_PENDING),
        pending__debit_account_id=account.pk,
        created_at__lt=moment,
    ).aggregate(s=Sum("pending__amount_paise"))["s"]
    return (placed or 0) - (resolved or 0)


def _line_changes(
    account_id: int, kind: str, amount: int, hold_amount: int | None, debit_id: int
) -> tuple[int, int]:
    """(posted change, held change) of a transfer for one side of it."""
    outgoing = debit_id == account_id
    if kind == TransferKind.SINGLE:
        return (-amount if outgoing else amount), 0
    if kind == TransferKind.PENDING:  # only the debit side's held money counts
        return 0, (amount if outgoing else 0)
    if kind == TransferKind.POST_PENDING:
        return (-amount if outgoing else amount), (-(hold_amount or 0) if outgoing else 0)
    return 0, (-amount if outgoing else 0)  # a void releases what it held


def _movement(kind: str, code: str, posted: int, held: int) -> str:
    if kind == TransferKind.PENDING:
        return Movement.HOLD
    if kind == TransferKind.POST_PENDING:
        return Movement.POST
    if kind == TransferKind.VOID_PENDING:
        return Movement.EXPIRY if code == TransferCode.EXPIRY else Movement.REFUND
    return Movement.CREDIT if posted > 0 else Movement.DEBIT


@replica_read  # served by the replica when one is configured
def wallet_statement_lines(
    *, account: Account, date_from: date, date_to: date
) -> list[StatementLine]:
    """Every transfer touching ``account`` from ``date_from`` to ``date_to`` (inclusive,
    Asia/Kolkata days), oldest first: top-ups and payments, and each fee's hold, its post
    to the payee or its refund, with the running posted balance and the money held."""
    start = _local_midnight(date_from)
    end = _local_midnight(date_to + timedelta(days=1))
    balance = balance_before(account=account, moment=start)
    held = held_before(account=account, moment=start)
    rows = (
        Transfer.objects.filter(Q(debit_account_id=account.pk) | Q(credit_account_id=account.pk))
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "kind",
            "code",
            "reference",
            "amount_paise",
            "debit_account_id",
            "pending__amount_paise",
            "credit_account_id",
        )
    )
    kinds: dict[int, str] = {}  # the other side's kind, looked up once per account
    lines = []
    for row in rows.iterator(chunk_size=2000):
        transfer_id, at, kind, code, reference, amount, debit_id, hold_amount, credit_id = row
        other = credit_id if debit_id == account.pk else debit_id
        if other not in kinds:
            kinds[other] = Account.objects.values_list("kind", flat=True).get(pk=other)
        posted, held_change = _line_changes(account.pk, kind, amount, hold_amount, debit_id)
        if posted == 0 and held_change == 0:
            continue  # the credit side of someone else's hold: nothing changed here
        balance += posted
        held += held_change
        lines.append(
            StatementLine(
                at=at,
                transfer_id=transfer_id,
                kind=code,
                movement=_movement(kind, code, posted, held_change),
                reference=reference,
                posted_change_paise=posted,
                held_change_paise=held_change,
                balance_paise=balance,
                held_paise=held,
                payee_kind=kinds[other],
            )
        )
    return lines


@replica_read  # served by the replica when one is configured
def wallet_statement(*, account: Account, date_from: date, date_to: date) -> list[StatementEntry]:
    """Posted entries from ``date_from`` to ``date_to`` (inclusive, Asia/Kolkata days), oldest
    first, each with the running posted balance after it: the lines that moved it."""
    return [
        StatementEntry(
            at=line.at,
            transfer_id=line.transfer_id,
            kind=line.kind,
            reference=line.reference,
            amount_paise=line.posted_change_paise,
            balance_paise=line.balance_paise,
        )
        for line in wallet_statement_lines(account=account, date_from=date_from, date_to=date_to)
        if line.posted_change_paise
    ]


@replica_read  # served by the replica when one is configured
def wallet_daily_balances(
    *,
    account: Account,
    date_from: date,
    date_to: date,
    entries: Sequence[StatementEntry | StatementLine] | None = None,
) -> list[DailyBalance]:
    """The closing balance of each day from ``date_from`` to ``date_to`` (Asia/Kolkata).
    ``entries``: the same range's statement or lines (oldest first), when the caller has it."""
    if entries is None:
        entries = wallet_statement(account=account, date_from=date_from, date_to=date_to)
    closing = balance_before(account=account, moment=_local_midnight(date_from))
    days: list[DailyBalance] = []
    index = 0
    day = date_from
    while day <= date_to:
        while index < len(entries) and timezone.localtime(entries[index].at).date() <= day:
            closing = entries[index].balance_paise
            index += 1
        days.append(DailyBalance(day=day, closing_paise=closing))
        day += timedelta(days=1)
    return days


def topups_pending(*, user: Any) -> QuerySet[TopUp]:
    """Top-ups awaiting finance's decision, of the centres ``user`` may see, oldest first."""
    return (
        TopUp.objects.filter(status=TopUp.Status.REQUESTED)
        .filter(centre_scope(user).q(centre="centre_id", district="centre__district_id"))
        .select_related("centre", "requested_by")
        .order_by("requested_at")
    )


def topups_decided(*, centre_ids: Sequence[int] | None = None) -> QuerySet[TopUp]:
    """Credited and rejected top-ups, the latest decision first: who decided, when, why."""
    decided = TopUp.objects.exclude(status=TopUp.Status.REQUESTED)
    if centre_ids is not None:
        decided = decided.filter(centre_id__in=centre_ids)
    return decided.select_related("centre", "requested_by", "decided_by").order_by(
        "-decided_at", "-requested_at"
    )


def topups_for_centre(*, centre: Centre, limit: int = 50) -> list[TopUp]:
    return list(
        TopUp.objects.filter(centre=centre)
        .select_related("requested_by")
        .order_by("-requested_at")[:limit]
    )


def hold_state(*, pending_id: uuid.UUID) -> str:
    """``held``, ``posted``, ``voided`` (also by expiry) or ``none`` for a hold id."""
    hold = Transfer.objects.filter(pk=pending_id, kind=TransferKind.PENDING).first()
    if hold is None:
        return "none"
    resolution = (
        Transfer.objects.filter(pending_id=pending_id).values_list("kind", flat=True).first()
    )
    if resolution is None:
        return "held"
    return "posted" if resolution == TransferKind.POST_PENDING else "voided"


@dataclass(frozen=True)
class Refund:
    amount_paise: int
    at: datetime


def refunds_for_reference(*, reference: str) -> Refund | None:
    """What the voided (or expired) holds of ``reference`` (an application number) gave
    back to the wallet, and when the last of them did; ``None`` if none was voided."""
    found = Transfer.objects.filter(kind=TransferKind.VOID_PENDING, reference=reference).aggregate(
        amount=Sum("amount_paise"), at=Max("created_at")
    )
    if not found["amount"]:
        return None
    return Refund(amount_paise=found["amount"], at=found["at"])
