"""Reads of the e-wallet: balances, statements with a running balance, daily closings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from sahayata.places.models import Centre
from sahayata.wallet.models import (
    Account,
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


def centre_wallet(*, centre: Centre) -> Account | None:
    return Account.objects.filter(centre=centre).first()


def account_by_code(*, code: str) -> Account | None:
    return Account.objects.filter(code=code).first()


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _posted_for(account: Account) -> QuerySet[Transfer]:
    return Transfer.objects.filter(kind__in=POSTED_KINDS).filter(
        Q(debit_account_id=account.pk) | Q(credit_account_id=account.pk)
    )


def balance_before(*, account: Account, moment: datetime) -> int:
    """The posted balance (credits − debits) just before ``moment``."""
    earlier = Transfer.objects.filter(kind__in=POSTED_KINDS, created_at__lt=moment)
    credits = earlier.filter(credit_account_id=account.pk).aggregate(s=Sum("amount_paise"))["s"]
    debits = earlier.filter(debit_account_id=account.pk).aggregate(s=Sum("amount_paise"))["s"]
    return (credits or 0) - (debits or 0)


def wallet_statement(*, account: Account, date_from: date, date_to: date) -> list[StatementEntry]:
    """Posted entries from ``date_from`` to ``date_to`` (inclusive, Asia/Kolkata days), oldest
    first, each with the running balance after it. Holds show once they are posted."""
    start = _local_midnight(date_from)
    end = _local_midnight(date_to + timedelta(days=1))
    running = balance_before(account=account, moment=start)
    rows = (
        _posted_for(account)
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")
        .values_list("id", "created_at", "code", "reference", "amount_paise", "credit_account_id")
    )
    entries = []
    for transfer_id, at, code, reference, amount, credit_id in rows.iterator(chunk_size=2000):
        signed = amount if credit_id == account.pk else -amount
        running += signed
        entries.append(
            StatementEntry(
                at=at,
                transfer_id=transfer_id,
                kind=code,
                reference=reference,
                amount_paise=signed,
                balance_paise=running,
            )
        )
    return entries


def wallet_daily_balances(
    *,
    account: Account,
    date_from: date,
    date_to: date,
    entries: list[StatementEntry] | None = None,
) -> list[DailyBalance]:
    """The closing balance of each day from ``date_from`` to ``date_to`` (Asia/Kolkata).
    ``entries``: the same range's statement (oldest first), when the caller has it already."""
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


def topups_pending() -> QuerySet[TopUp]:
    return (
        TopUp.objects.filter(status=TopUp.Status.REQUESTED)
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
