"""Reads of applications: visibility, inboxes, the operator's day, tracking, RTPS reports."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from sahayata.applications import plans
from sahayata.applications.models import Application, HoldState, Holiday
from sahayata.applications.rules import amount_label, is_overdue
from sahayata.applications.workflows import OFFICER, REGISTRY, workflow_get
from sahayata.catalogue.models import Service, ServiceVersion
from sahayata.core.dbrouter import replica_read
from sahayata.core.money import ascii_digits, format_inr, rupees_input
from sahayata.people import policy
from sahayata.people.models import User
from sahayata.people.roles import application_scope
from sahayata.wallet.selectors import refunds_for_reference


def holidays_between(start: dt.date, working_days: int) -> set[dt.date]:
    """Listed holidays that can matter for a limit of ``working_days`` from ``start``."""
    # Generous horizon: every week has at least one working day in practice.
    horizon = start + dt.timedelta(days=working_days * 3 + 60)
    return set(
        Holiday.objects.filter(date__gt=start, date__lte=horizon).values_list("date", flat=True)
    )


def applications_visible(user: Any) -> QuerySet[Application]:
    """The applications ``user`` may see (``people.roles.application_scope``): its centre's
    staff, its department's officers, the nodal officer of its centre's district, auditors
    and administrators. Everyone else gets "not found"."""
    scope = application_scope(user)
    return Application.objects.select_related("service", "centre", "citizen").filter(scope.q())


def application_visible_to(user: Any, application: Application) -> bool:
    """The same rule as ``applications_visible``, for one application already in hand."""
    scope = application_scope(user)
    return scope.covers(
        centre_id=application.centre_id,
        # Only a district's scope needs the centre row (loaded already by the selectors).
        district_id=application.centre.district_id if scope.district_id is not None else None,
        department_id=application.department_id,
    )


# Every number is BSK-<centre>-<FY>-<6 digits>; anything else (a NUL byte, which
# PostgreSQL refuses in a query, or a 100 kB string) is answered "not found" without a query.
_NUMBER_SHAPE = re.compile(r"[A-Za-z0-9-]{1,40}")


def number_plausible(number: str) -> bool:
    return isinstance(number, str) and _NUMBER_SHAPE.fullmatch(number) is not None


def application_get_for(*, user: Any, number: str) -> Application | None:
    """The application with this number if ``user`` may see it; None otherwise. A role
    that sees no application at all (``application.view``) is refused: PermissionDenied."""
    policy.require(user, "application.view")
    if not number_plausible(number):
        return None
    return (
        applications_visible(user)
        .select_related("centre__district", "department", "submitted_by")
        .filter(number=number)
        .first()
    )


def centre_returned(*, centre_id: int) -> QuerySet[Application]:
    """The centre's applications sent back for correction, oldest due first."""
    return (
        Application.objects.select_related("service", "citizen")
        .filter(centre_id=centre_id, is_open=True, status="returned")
        .order_by("due_date", "pk")
    )


def officer_states() -> set[str]:
    """States in which an officer has something to do, across every workflow version."""
    states: set[str] = set()
    for workflow in REGISTRY.values():
        for action in workflow.actions:
            if OFFICER in action.roles:
                states.update(action.from_states)
    return states


def officer_inbox(*, officer: User) -> QuerySet[Application]:
    """The officer's department's open applications awaiting an officer, by due date."""
    return (
        Application.objects.select_related("service", "centre", "citizen")
        .filter(
            department_id=officer.department_id or 0,
            # "IN (1)", not a bare boolean column: SQLite then walks the (department,
            # is_open, due_date) index in due-date order instead of sorting every row.
            is_open__in=(True,),
            status__in=officer_states(),
        )
        .order_by("due_date", "submitted_at")
    )


def mark_overdue(applications: Any, today: dt.date) -> list[Application]:
    rows = list(applications)
    for application in rows:
        application.overdue = application.is_open and is_overdue(application.due_date, today)
    return rows


# --- The operator's day -----------------------------------------------------------------


@dataclass
class DayLine:
    service_code: str
    service_name: str
    count: int = 0
    paid_count: int = 0
    fee_paise: int = 0  # held at submission
    refunded_paise: int = 0  # of that, given back (rejected, failed, withdrawn, expired)

    @property
    def collected_paise(self) -> int:
        return self.fee_paise - self.refunded_paise


@dataclass(frozen=True)
class DayRefund:
    application_no: str
    amount_paise: int
    at: dt.datetime
    expired: bool


@dataclass
class DaySummary:
    day: dt.date
    lines: list[DayLine] = field(default_factory=list)
    count: int = 0
    fee_paise: int = 0
    refunded_paise: int = 0
    wallet_held_paise: int = 0
    wallet_hold_count: int = 0
    refunds: list[DayRefund] = field(default_factory=list)  # the wallet's refunds of the day

    @property
    def collected_paise(self) -> int:
        return self.fee_paise - self.refunded_paise

    @property
    def refunds_paise(self) -> int:
        return sum(refund.amount_paise for refund in self.refunds)

    @property
    def matches_wallet(self) -> bool:
        return self.fee_paise == self.wallet_held_paise


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def centre_applications_on(*, centre_id: int, day: dt.date) -> QuerySet[Application]:
    return (
        Application.objects.select_related("service", "citizen")
        .filter(centre_id=centre_id, submitted_on=day)
        .order_by("-submitted_at")
    )


def wallet_service_holds_on(*, centre_id: int, day: dt.date) -> tuple[int, int]:
    """``(count, paise)`` of service-fee holds placed from the centre's wallet that day,
    read from the ledger itself (the wallet's movements), not from applications."""
    from sahayata.wallet.models import Transfer, TransferKind

    start, end = _day_bounds(day)
    totals = Transfer.objects.filter(
        debit_account__centre_id=centre_id,
        kind=TransferKind.PENDING,
        code="service_fee",
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(paise=Sum("amount_paise"), count=Count("reference", distinct=True))
    return int(totals["count"] or 0), int(totals["paise"] or 0)


def wallet_refunds_on(*, centre_id: int, day: dt.date) -> list[DayRefund]:
    """The service-fee holds released back to the centre's wallet that day (voided or
    expired), by application number, from the ledger; whatever day they were placed."""
    from sahayata.wallet.models import Transfer, TransferCode, TransferKind

    start, end = _day_bounds(day)
    rows = (
        Transfer.objects.filter(
            debit_account__centre_id=centre_id,
            kind=TransferKind.VOID_PENDING,
            code__in=(TransferCode.SERVICE_FEE, TransferCode.EXPIRY),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("reference")
        .annotate(
            paise=Sum("amount_paise"),
            at=Max("created_at"),
            expiries=Count("pk", filter=Q(code=TransferCode.EXPIRY)),
        )
        .order_by("-at")
    )
    return [
        DayRefund(
            application_no=row["reference"],
            amount_paise=int(row["paise"]),
            at=row["at"],
            expired=bool(row["expiries"]),
        )
        for row in rows
    ]


def operator_day_summary(*, centre_id: int, day: dt.date) -> DaySummary:
    """Count and fee by service of the applications submitted at a centre on ``day``
    (Kolkata), beside the wallet's service-fee holds of that day: the two must agree. A fee
    refunded since (its hold voided) is not collected; the day's refunds are listed apart."""
    summary = DaySummary(day=day)
    rows = (
        Application.objects.filter(centre_id=centre_id, submitted_on=day)
        .values("service__code", "service__name_en", "service__name_bn")
        .annotate(
            count=Count("pk"),
            paid=Count("pk", filter=Q(fee_paise__gt=0)),
            fee=Sum("fee_paise"),
            refunded=Sum("fee_paise", filter=Q(hold=HoldState.VOIDED)),
        )
        .order_by("service__code")
    )
    lang_bn = _is_bengali()
    for row in rows:
        line = DayLine(
            service_code=row["service__code"],
            service_name=row["service__name_bn"] if lang_bn else row["service__name_en"],
            count=row["count"],
            paid_count=row["paid"],
            fee_paise=int(row["fee"] or 0),
            refunded_paise=int(row["refunded"] or 0),
        )
        summary.lines.append(line)
        summary.count += line.count
        summary.fee_paise += line.fee_paise
        summary.refunded_paise += line.refunded_paise
    summary.wallet_hold_count, summary.wallet_held_paise = wallet_service_holds_on(
        centre_id=centre_id, day=day
    )
    summary.refunds = wallet_refunds_on(centre_id=centre_id, day=day)
    return summary


def _is_bengali() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "bn").startswith("bn")


# --- Public tracking --------------------------------------------------------------------


def application_track(*, number: str, mobile: str) -> Application | None:
    """The application only when the number *and* the citizen's mobile match."""
    number = (number or "").strip().upper()
    mobile = "".join(ch for ch in (mobile or "") if "0" <= ch <= "9")[-10:]
    if not number_plausible(number) or len(mobile) != 10:
        return None
    return (
        Application.objects.select_related("service", "citizen")
        .filter(number=number, citizen__mobile=mobile)
        .first()
    )


# --- RTPS report ------------------------------------------------------------------------


@dataclass
class RtpsLine:
    department_id: int
    department_name: str
    closed_on_time: int = 0
    closed_late: int = 0
    open_on_time: int = 0
    open_overdue: int = 0

    @property
    def total(self) -> int:
        return self.closed_on_time + self.closed_late + self.open_on_time + self.open_overdue

    @property
    def on_time_percent(self) -> int | None:
        closed = self.closed_on_time + self.closed_late
        return None if closed == 0 else round(100 * self.closed_on_time / closed)


@replica_read  # served by the replica when one is configured
def rtps_report(
    *,
    user: Any,
    today: dt.date,
    department_id: int | None = None,
    district_id: int | None = None,
) -> list[RtpsLine]:
    """On-time and overdue applications per department (closed: by closing date), of what
    ``user`` may see by ``people.policy``'s ``rtps.view`` (a supervisor its centre, an
    officer its department, a nodal officer its district, the auditor the state), narrowed
    to one department or district if asked. A role with no reach is refused."""
    policy.require(user, "rtps.view")
    applications = Application.objects.filter(policy.scope(user, "rtps.view").q())
    if department_id is not None:
        applications = applications.filter(department_id=department_id)
    if district_id is not None:
        applications = applications.filter(centre__district_id=district_id)
    rows = applications.values(
        "department_id",
        "department__name_en",
        "department__name_bn",
        "is_open",
        "due_date",
        "closed_at",
    )
    lines: dict[int, RtpsLine] = {}
    bengali = _is_bengali()
    for row in rows.iterator():
        dept = row["department_id"]
        if dept not in lines:
            lines[dept] = RtpsLine(
                department_id=dept,
                department_name=row["department__name_bn"]
                if bengali
                else row["department__name_en"],
            )
        line = lines[dept]
        if row["is_open"]:
            if is_overdue(row["due_date"], today):
                line.open_overdue += 1
            else:
                line.open_on_time += 1
        else:
            closed_on = timezone.localtime(row["closed_at"]).date()
            if closed_on <= row["due_date"]:
                line.closed_on_time += 1
            else:
                line.closed_late += 1
    return sorted(lines.values(), key=lambda line: line.department_name)


def service_terms_of(service: Service, version: ServiceVersion) -> plans.ServiceTerms:
    """The terms of ``service`` at its published ``version`` (the plans' input)."""
    definition = version.definition
    return plans.service_terms(
        service_id=service.pk,
        department_id=service.department_id,
        code=service.code,
        version=version.version,
        definition=definition,
        workflow=workflow_get(definition.get("workflow_code") or service.workflow_code),
        service_time_limit_days=service.time_limit_days,
        service_adapter_code=service.adapter_code,
        issues_certificate=service.issues_certificate,
    )


# --- The counter: a form already used, the same bill paid twice ---------------------------


def application_for_client_token(*, client_token: str) -> Application | None:
    """The application a form token (or an idempotency key) already created, if any."""
    return (
        Application.objects.filter(client_token=client_token)
        .select_related("service", "citizen")
        .first()
    )


def centre_same_bill_on(
    *,
    centre_id: int,
    service_id: int,
    day: dt.date,
    fee_paise: int,
    references: Mapping[str, Any],
) -> Application | None:
    """The latest application of ``day`` at the centre for the same service and amount
    whose form fields ``references`` (consumer id, holding number …) are equal; a
    refunded one does not count (paying again is then right)."""
    matches = Application.objects.filter(
        centre_id=centre_id, service_id=service_id, submitted_on=day, fee_paise=fee_paise
    ).exclude(hold=HoldState.VOIDED)
    for name, value in references.items():
        matches = matches.filter(**{f"fields__{name}": value})
    return matches.order_by("-submitted_at", "-pk").first()


# --- The officer's queue ----------------------------------------------------------------

DUE_FILTERS = ("overdue", "today", "week")


@dataclass(frozen=True)
class QueueFilter:
    """What the officer typed and chose: free text, a service, a state and a due window."""

    search: str = ""
    service_code: str = ""
    state: str = ""
    due: str = ""
    sort: str = ""  # "" (overdue first, then by due date) or "newest" (received, newest first)


def application_search_q(text: str) -> Q:
    """An application number (whole or in part), a citizen's mobile or name."""
    text = text.strip()
    query = Q(number__icontains=text) | Q(citizen__name_en__icontains=text)
    query |= Q(citizen__name_bn__icontains=text)
    # A mobile as typed: 98300 12345, +91 9830012345, in either script (last 4 digits or more).
    compact = ascii_digits(text).replace(" ", "").removeprefix("+")
    if len(compact) >= 4 and compact.isdigit():
        query |= Q(citizen__mobile__endswith=compact[-10:])
    return query


def officer_queue(*, officer: User, today: dt.date, chosen: QueueFilter) -> QuerySet[Application]:
    """The officer's inbox, filtered: overdue first, then by due date, oldest submission
    first within a day. Served by the (department, is_open, due_date) index."""
    applications = officer_inbox(officer=officer)
    if chosen.search.strip():
        applications = applications.filter(application_search_q(chosen.search))
    if chosen.service_code:
        applications = applications.filter(service__code=chosen.service_code)
    if chosen.state:
        applications = applications.filter(status=chosen.state)
    if chosen.due == "overdue":
        applications = applications.filter(due_date__lt=today)
    elif chosen.due == "today":
        applications = applications.filter(due_date=today)
    elif chosen.due == "week":
        applications = applications.filter(
            due_date__gte=today, due_date__lte=today + dt.timedelta(days=6)
        )
    if chosen.sort == "newest":  # today's arrivals on the first page
        return applications.order_by("-submitted_at", "-pk")
    return applications.order_by("due_date", "submitted_at", "pk")


@dataclass(frozen=True)
class QueueCounts:
    """The inbox's figures, counted as /rtps/ counts them (open, due date before today)."""

    awaiting: int
    awaiting_overdue: int
    department_open_overdue: int

    @property
    def overdue_elsewhere(self) -> int:
        """Overdue but not the officer's turn: returned to the centre, with a back end."""
        return self.department_open_overdue - self.awaiting_overdue


def officer_queue_counts(*, officer: User, today: dt.date) -> QueueCounts:
    awaiting = officer_inbox(officer=officer).order_by()
    department_open = Application.objects.filter(
        department_id=officer.department_id or 0, is_open__in=(True,)
    )
    return QueueCounts(
        awaiting=awaiting.count(),
        awaiting_overdue=awaiting.filter(due_date__lt=today).count(),
        department_open_overdue=department_open.filter(due_date__lt=today).count(),
    )


def officer_queue_choices(*, officer: User) -> tuple[list[tuple[str, str]], list[str]]:
    """The department's services that have something in the queue ``(code, name)``, and
    the states an officer acts in."""
    from sahayata.catalogue.models import Service

    bengali = _is_bengali()
    services = (
        Service.objects.filter(department_id=officer.department_id or 0)
        .order_by("name_bn" if bengali else "name_en")
        .values_list("code", "name_bn" if bengali else "name_en")
    )
    return [(code, name) for code, name in services], sorted(officer_states())


# --- Form fields as people read them ----------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    """One submitted form field with its labels from the service version it started under
    and, for a choice, the chosen option's labels instead of its value."""

    name: str
    value: Any
    label_bn: str
    label_en: str
    shown_bn: str
    shown_en: str
    form_value: Any = None  # what the correction form shows (an amount in rupees)

    @property
    def label(self) -> str:
        return self.label_bn if _is_bengali() else self.label_en

    @property
    def shown(self) -> str:
        return self.shown_bn if _is_bengali() else self.shown_en


def _option_labels(spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    labels: dict[str, tuple[str, str]] = {}
    for option in spec.get("choices") or []:
        if isinstance(option, dict):
            value = str(option.get("value", option.get("code", "")))
            english = str(option.get("label_en") or value)
            labels[value] = (str(option.get("label_bn") or english), english)
        elif isinstance(option, (list, tuple)) and option:
            labels[str(option[0])] = (str(option[-1]), str(option[-1]))
    return labels


def application_field_rows(application: Application) -> list[FieldRow]:
    """The application's fields, in the order of the service's form, labelled."""
    from sahayata.catalogue.models import ServiceVersion

    version = ServiceVersion.objects.filter(
        service_id=application.service_id, version=application.service_version
    ).first()
    specs = {
        spec["name"]: spec
        for spec in (version.definition if version else {}).get("form_fields", [])
    }
    order = [name for name in specs if name in application.fields]
    order += [name for name in application.fields if name not in specs]
    rows = []
    for name in order:
        value = application.fields[name]
        spec = specs.get(name, {})
        shown_bn, shown_en = _option_labels(spec).get(str(value), (str(value), str(value)))
        english = str(spec.get("label_en") or name.replace("_", " ").capitalize())
        bengali = str(spec.get("label_bn") or english)
        form_value = value
        if spec.get("type") == "paise" and isinstance(value, int):
            # Stored in paise, read and typed in rupees (the correction form posts them back).
            english, bengali = f"{amount_label(english)} (₹)", f"{amount_label(bengali)} (₹)"
            shown_bn, shown_en = format_inr(value, lang="bn"), format_inr(value, lang="en")
            form_value = rupees_input(value)
        rows.append(
            FieldRow(
                name=name,
                value=value,
                label_bn=bengali,
                label_en=english,
                shown_bn=shown_bn,
                shown_en=shown_en,
                form_value=form_value,
            )
        )
    return rows


# --- What the citizen reads when tracking ------------------------------------------------

UNSUCCESSFUL_STATES = ("rejected", "failed", "withdrawn")


@dataclass(frozen=True)
class TrackOutcome:
    """Why an application ended without success, and its refund (if its fee was held)."""

    state: str
    reason: str  # the officer's words on a reject; empty when none was given
    decided_at: dt.datetime | None
    refund_paise: int
    refunded_at: dt.datetime | None


def application_track_outcome(*, application: Application) -> TrackOutcome | None:
    """``None`` while the application is open or once it succeeded."""
    if application.status not in UNSUCCESSFUL_STATES:
        return None
    last = (
        application.history.filter(to_state=application.status)
        .order_by("-at", "-pk")
        .values("action", "comment", "at")
        .first()
    )
    refund = refunds_for_reference(reference=application.number) if application.fee_paise else None
    # A back end's failure comment is its own status code, not words for a citizen.
    reason = last["comment"] if last and last["action"] == "reject" else ""
    return TrackOutcome(
        state=application.status,
        reason=reason,
        decided_at=last["at"] if last else None,
        refund_paise=refund.amount_paise if refund else 0,
        refunded_at=refund.at if refund else None,
    )
