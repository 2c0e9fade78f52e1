"""Reads of the consoles: a district's centres with their wallets and queues,
application and centre search, and the ledger and transparency checks.

Who may see what is not decided here: every read starts from the visibility policy
(``wallet.selectors.centres_visible`` for centres and wallets,
``applications.selectors.applications_visible`` for applications; both apply
``people.roles``).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sahayata.applications.models import Application
from sahayata.applications.selectors import application_search_q, applications_visible
from sahayata.people.models import User
from sahayata.places.models import Centre
from sahayata.wallet.selectors import centres_visible as wallet_centres_visible


@dataclass
class CentreLine:
    centre: Centre
    available_paise: int | None = None
    open_count: int = 0
    overdue_count: int = 0
    submitted_count: int = 0


def centres_visible(*, user: User, district_id: int | None = None) -> list[Centre]:
    """Every centre the user may see (in one district when ``district_id`` is given)."""
    centres = wallet_centres_visible(user=user).select_related("district", "block")
    if district_id is not None:
        centres = centres.filter(district_id=district_id)
    return list(centres.order_by("code"))


def centre_lines(*, centres: list[Centre], today: dt.date) -> list[CentreLine]:
    """Each centre with its wallet's spendable balance and its open and overdue work:
    three grouped queries whatever the number of centres."""
    from sahayata.wallet.models import Account
    from sahayata.wallet.selectors import wallet_balance, wallets_available

    ids = [centre.pk for centre in centres]
    wallets = dict(Account.objects.filter(centre_id__in=ids).values_list("centre_id", "pk"))
    available = wallets_available(account_ids=list(wallets.values()))
    counts = {
        row["centre_id"]: row
        for row in Application.objects.filter(centre_id__in=ids)
        .values("centre_id")
        .annotate(
            submitted=Count("pk"),
            open=Count("pk", filter=Q(is_open=True)),
            overdue=Count("pk", filter=Q(is_open=True, due_date__lt=today)),
        )
        .order_by()
    }
    lines = []
    for centre in centres:
        line = CentreLine(centre=centre)
        account_id = wallets.get(centre.pk)
        if account_id is not None:
            line.available_paise = available.get(account_id)
            if line.available_paise is None:  # a hot (split) account: ask the slow way
                account = Account.objects.get(pk=account_id)
                line.available_paise = wallet_balance(account=account).available_paise
        row = counts.get(centre.pk, {})
        line.submitted_count = row.get("submitted", 0)
        line.open_count = row.get("open", 0)
        line.overdue_count = row.get("overdue", 0)
        lines.append(line)
    return lines


def applications_search(
    *, user: User, text: str, district_id: int | None = None
) -> QuerySet[Application]:
    """Applications the user may see matching a number, a citizen's name or mobile; the
    latest first. Nothing without a search (the lists are long)."""
    applications = applications_visible(user)
    if district_id is not None:
        applications = applications.filter(centre__district_id=district_id)
    text = text.strip()
    if not text:
        return applications.none()
    return applications.filter(application_search_q(text)).order_by("-submitted_at", "-pk")


def centres_search(*, user: User, text: str, limit: int = 50) -> list[Centre]:
    """Centres by code or name (either script), among those the user may see."""
    text = text.strip()
    if not text:
        return []
    centres = (
        wallet_centres_visible(user=user)
        .select_related("district", "block")
        .filter(Q(code__icontains=text) | Q(name_en__icontains=text) | Q(name_bn__icontains=text))
        .order_by("code")[:limit]
    )
    return list(centres)


# --- The ledger and transparency checks -------------------------------------------------


@dataclass
class ChecksStatus:
    """One run of both checks, verifying only (nothing is sealed or folded)."""

    at: dt.datetime
    ledger_failed: list[str] = field(default_factory=list)
    ledger_violations: int = 0
    transparency_ok: bool = True
    transparency_cells: int = 0
    transparency_differences: int = 0
    events_waiting: int = 0
    seconds: float = 0.0

    @property
    def ledger_ok(self) -> bool:
        return self.ledger_violations == 0


def checks_run() -> ChecksStatus:
    """Run ``ledger_check`` and ``transparency_check`` as the auditor may: read-only."""
    from sahayata.site.checks import ledger_checks
    from sahayata.transparency.checks import transparency_check
    from sahayata.transparency.models import RollupEvent

    started = time.perf_counter()
    violations = ledger_checks(seal=False)
    report = transparency_check(apply_waiting=False)
    # Outbox events not folded yet: while some wait, a difference is not yet an error.
    waiting = RollupEvent.objects.count()
    return ChecksStatus(
        at=timezone.now(),
        ledger_failed=sorted({violation.check for violation in violations}),
        ledger_violations=len(violations),
        transparency_ok=report.ok,
        transparency_cells=report.cells_compared,
        transparency_differences=report.difference_count + report.orphan_payments,
        events_waiting=waiting,
        seconds=time.perf_counter() - started,
    )
