"""Reads of the transparency app: every dashboard and API figure comes from here.

Every query reads a handful of rollup cells (see ``Rollup``), never the ledger or the
applications, so its cost does not grow with the number of wallet transfers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db.models import Min, QuerySet, Sum
from django.utils import timezone

from sahayata.catalogue.models import Department, Service
from sahayata.core.dbrouter import replica_read
from sahayata.people.models import User
from sahayata.places.models import Centre, District
from sahayata.transparency.models import ALL, Milestone, Rollup, RollupEvent
from sahayata.transparency.services import ALL_TIME_PERIOD, METRICS

TREND_DAYS = 90


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; None means everything."""

    district_id: int | None = None
    department_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None


@dataclass
class Figures:
    applications: int = 0
    services_delivered: int = 0
    wallet_transactions: int = 0
    paise: int = 0
    delivered_timed: int = 0
    delivered_on_time: int = 0
    simulated_events: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def on_time_percent(self) -> float | None:
        if not self.delivered_timed:
            return None
        return round(100 * self.delivered_on_time / self.delivered_timed, 1)

    def as_dict(self) -> dict[str, Any]:
        row = {m: getattr(self, m) for m in METRICS if m != "simulated_events"}
        row["on_time_percent"] = self.on_time_percent
        return row | self.extra


def _sums() -> dict[str, Sum]:
    return {m: Sum(m) for m in METRICS}


def _figures(values: dict[str, Any], **extra: Any) -> Figures:
    return Figures(**{m: int(values.get(m) or 0) for m in METRICS}, extra=extra)


def _cells(filters: Filters, *, grain: str | None = None) -> QuerySet[Rollup]:
    """Cells at the right grain for the date range: all-time cells when there is none."""
    if grain is None:
        grain = Rollup.Grain.DAY if filters.has_dates else Rollup.Grain.ALL_TIME
    cells = Rollup.objects.filter(grain=grain)
    if grain == Rollup.Grain.ALL_TIME:
        return cells.filter(period=ALL_TIME_PERIOD)
    if filters.date_from is not None:
        start = filters.date_from
        cells = cells.filter(
            period__gte=start.replace(day=1) if grain == Rollup.Grain.MONTH else start
        )
    if filters.date_to is not None:
        cells = cells.filter(period__lte=filters.date_to)
    return cells


def _dims(cells: QuerySet[Rollup], filters: Filters, *, by: str | None = None) -> QuerySet[Rollup]:
    """Narrow to the filtered district and department; ``by`` leaves one dimension open."""
    district = filters.district_id or ALL
    department = filters.department_id or ALL
    if by == "district":
        cells = cells.exclude(district_id=ALL)
    else:
        cells = cells.filter(district_id=district)
    if by == "department":
        cells = cells.exclude(department_id=ALL).filter(service_id=ALL)
    elif by == "service":
        cells = cells.exclude(service_id=ALL)
        if department != ALL:
            cells = cells.filter(department_id=department)
    else:
        cells = cells.filter(department_id=department, service_id=ALL)
    return cells


def summary(filters: Filters | None = None) -> Figures:
    filters = filters or Filters()
    values = _dims(_cells(filters), filters).aggregate(**_sums())
    return _figures(values)


def history_is_simulated(filters: Filters | None = None) -> bool:
    return summary(filters).simulated_events > 0


def _grouped(cells: QuerySet[Rollup], key: str) -> list[tuple[Any, Figures]]:
    rows = cells.values(key).annotate(**_sums()).order_by(key)
    return [(row[key], _figures(row)) for row in rows]


def trend_range(filters: Filters) -> Filters:
    """The dates a daily trend covers: the filter's, or the last 90 days with activity.

    Days with activity, not calendar days: a history may have a quiet stretch (a simulated
    past and today's real work) and the trend should still show both.
    """
    if filters.has_dates:
        return filters
    days = list(
        _dims(Rollup.objects.filter(grain=Rollup.Grain.DAY), filters)
        .order_by("-period")
        .values_list("period", flat=True)[:TREND_DAYS]
    )
    if not days:
        return filters
    return Filters(
        district_id=filters.district_id,
        department_id=filters.department_id,
        date_from=days[-1],
        date_to=days[0],
    )


def daily_trend(
    filters: Filters | None = None, *, dates: Filters | None = None
) -> list[tuple[dt.date, Figures]]:
    """Day by day; ``dates`` is the result of ``trend_range`` when the caller has it."""
    filters = dates or trend_range(filters or Filters())
    cells = _dims(_cells(filters, grain=Rollup.Grain.DAY), filters)
    return _grouped(cells, "period")


def monthly_trend(filters: Filters | None = None) -> list[tuple[dt.date, Figures]]:
    filters = filters or Filters()
    cells = _dims(_cells(filters, grain=Rollup.Grain.MONTH), filters)
    return _grouped(cells, "period")


def _named(rows: list[tuple[int, Figures]], names: dict[int, Any]) -> list[tuple[Any, Figures]]:
    return [(names[key], figures) for key, figures in rows if key in names]


def by_district(filters: Filters | None = None) -> list[tuple[District, Figures]]:
    filters = filters or Filters()
    rows = _grouped(_dims(_cells(filters), filters, by="district"), "district_id")
    return _named(rows, District.objects.in_bulk())


def by_department(filters: Filters | None = None) -> list[tuple[Department, Figures]]:
    filters = filters or Filters()
    rows = _grouped(_dims(_cells(filters), filters, by="department"), "department_id")
    named = _named(rows, Department.objects.in_bulk())
    return sorted(named, key=lambda row: -row[1].services_delivered)


def top_services(
    filters: Filters | None = None, *, limit: int = 10
) -> list[tuple[Service, Figures]]:
    filters = filters or Filters()
    rows = _grouped(_dims(_cells(filters), filters, by="service"), "service_id")
    rows.sort(key=lambda row: (-row[1].services_delivered, -row[1].paise, row[0]))
    rows = rows[:limit]
    services = Service.objects.select_related("department").in_bulk([key for key, _ in rows])
    return _named(rows, services)


def network_size(filters: Filters | None = None) -> dict[str, int]:
    """Active centres and operators (in the filtered district)."""
    filters = filters or Filters()
    centres = Centre.objects.filter(is_active=True)
    operators = User.objects.filter(role="operator", is_active=True)
    if filters.district_id:
        centres = centres.filter(district_id=filters.district_id)
        operators = operators.filter(centre__district_id=filters.district_id)
    return {"centres": centres.count(), "operators": operators.count()}


@replica_read  # served by the replica when one is configured
def milestones(*, metric: str | None = None) -> QuerySet[Milestone]:
    found = Milestone.objects.order_by("crossed_at", "pk")
    return found.filter(metric=metric) if metric else found


@replica_read  # served by the replica when one is configured
def latest_milestone() -> Milestone | None:
    return Milestone.objects.order_by("-crossed_at", "-pk").first()


@replica_read  # served by the replica when one is configured
def milestone_get(*, milestone_id: int) -> Milestone | None:
    return Milestone.objects.filter(pk=milestone_id).first()


@replica_read  # served by the replica when one is configured
def milestone_context(milestone: Milestone) -> dict[str, Any]:
    """Where a milestone was crossed: the centre, its district and the service."""
    centre = Centre.objects.select_related("district").filter(pk=milestone.centre_id).first()
    service = Service.objects.select_related("department").filter(pk=milestone.service_id).first()
    return {"centre": centre, "service": service}


@replica_read  # served by the replica when one is configured
def as_of() -> dt.datetime:
    """The figures include everything committed before this moment.

    When events still wait in the outbox, that is the oldest waiting event's time.
    """
    waiting = RollupEvent.objects.aggregate(oldest=Min("occurred_at"))["oldest"]
    return waiting if waiting is not None else timezone.now()


@replica_read  # served by the replica when one is configured
def public_summary() -> dict[str, Any]:
    """The figures of ``GET /api/v1/transparency/summary``."""
    figures = summary()
    return {
        "total_paise": figures.paise,
        "wallet_transactions": figures.wallet_transactions,
        "services_delivered": figures.services_delivered,
        "centres": Centre.objects.filter(is_active=True).count(),
        "milestones": [
            {"threshold_paise": m.threshold, "crossed_at": m.crossed_at}
            for m in milestones(metric=Milestone.Metric.PAISE)
        ],
        "as_of": as_of(),
    }


class DashboardReads:
    """Everything one dashboard page reads, each read done once per request."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters

    @cached_property
    def summary(self) -> Figures:
        return summary(self.filters)

    @cached_property
    def network(self) -> dict[str, int]:
        return network_size(self.filters)

    @cached_property
    def trend_range(self) -> Filters:
        return trend_range(self.filters)

    @cached_property
    def daily(self) -> list[tuple[dt.date, Figures]]:
        return daily_trend(self.filters, dates=self.trend_range)

    @cached_property
    def monthly(self) -> list[tuple[dt.date, Figures]]:
        return monthly_trend(self.filters)

    @cached_property
    def districts(self) -> list[tuple[District, Figures]]:
        return by_district(self.filters)

    @cached_property
    def departments(self) -> list[tuple[Department, Figures]]:
        return by_department(self.filters)

    @cached_property
    def services(self) -> list[tuple[Service, Figures]]:
        return top_services(self.filters)

    @cached_property
    def milestones(self) -> list[Milestone]:
        return list(milestones())

    @cached_property
    def latest_milestone(self) -> Milestone | None:
        return self.milestones[-1] if self.milestones else None

    @property
    def simulated(self) -> bool:
        return self.summary.simulated_events > 0


READS_CACHE_SECONDS = 60
_READS = (
    "summary",
    "network",
    "trend_range",
    "daily",
    "monthly",
    "districts",
    "departments",
    "services",
    "milestones",
)


@replica_read  # served by the replica when one is configured
def rollups_version() -> tuple[int, ...] | None:
    """The all-time totals cell: every folded event changes it, so it versions the cube."""
    return (
        Rollup.objects.filter(
            grain=Rollup.Grain.ALL_TIME,
            period=ALL_TIME_PERIOD,
            district_id=ALL,
            department_id=ALL,
            service_id=ALL,
        )
        .values_list(*METRICS)
        .first()
    )


@replica_read  # served by the replica when one is configured
def dashboard_reads(filters: Filters) -> DashboardReads:
    """The dashboard's reads, shared between requests until the rollups change.

    The key holds the rollups' version, so a folded event is visible on the next request;
    centre and operator counts (not in the rollups) may lag by ``READS_CACHE_SECONDS``.
    """
    version = rollups_version()
    key = "transparency:reads:" + hashlib.sha256(repr((filters, version)).encode()).hexdigest()
    reads = cache.get(key)
    if reads is None:
        reads = DashboardReads(filters)
        for name in _READS:
            getattr(reads, name)
        cache.set(key, reads, READS_CACHE_SECONDS)
    return reads
