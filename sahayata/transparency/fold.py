"""The rollup fold, pure: events in, rollup cells and milestone crossings out. No ORM.

What an event adds to which cell, which thresholds it crosses, and the checks on an event
live here, testable without a database. ``services`` reads the totals and the parents
(district of a centre, department of a service), calls ``fold`` and writes the result.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sahayata.core.clock import IST
from sahayata.core.errors import InvalidInput
from sahayata.core.money import CRORE_PAISE

ALL = 0  # dimension value meaning "all districts / departments / services" in a cell
ALL_TIME_PERIOD = dt.date(2000, 1, 1)
LAKH = 1_00_000
PAISE_THRESHOLDS: tuple[int, ...] = tuple(
    n * CRORE_PAISE for n in (1, 10, 100, 500, 1_000, 2_000, 5_000)
)
SERVICE_THRESHOLDS: tuple[int, ...] = (LAKH, 10 * LAKH, 100 * LAKH)

# Event kinds, cell grains and milestone metrics (the models' choices take these values).
SUBMITTED = "application_submitted"
DELIVERED = "service_delivered"
PAID = "payment_posted"
KINDS = frozenset((SUBMITTED, DELIVERED, PAID))
DAY, MONTH, ALL_TIME = "day", "month", "all"
PAISE, SERVICES = "paise", "services_delivered"

METRICS = (
    "applications",
    "services_delivered",
    "wallet_transactions",
    "paise",
    "delivered_timed",
    "delivered_on_time",
    "simulated_events",
)
MAX_WEIGHT = 2_147_483_647  # the outbox column is an integer on PostgreSQL
MAX_PAISE = 2**63 - 1  # a rollup total's bound (a bigint), not core.money.MAX_AMOUNT_PAISE
TRANSFER_ID_LENGTH = 64
_NEVER = 1 << 255  # above every threshold: "no threshold left to cross"

Cells = dict[tuple, list[int]]


@dataclass(slots=True)
class RollupEventSpec:
    """One event for the batch paths (the simulator builds millions).

    Not frozen on purpose: a frozen dataclass takes 3.3 µs to build against 1.2 µs. The
    batch functions only read it; do not change one after handing it over."""

    kind: str
    occurred_at: dt.datetime
    centre_id: int
    service_id: int
    amount_paise: int = 0
    weight: int = 1
    application_id: int | None = None
    transfer_id: str = ""
    on_time: bool | None = None
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class Crossing:
    """A threshold crossed by one event: a milestone to record."""

    metric: str
    threshold: int
    crossed_at: dt.datetime
    value_after: int
    application_id: int | None
    transfer_id: str
    centre_id: int
    service_id: int
    simulated: bool


class Event(Protocol):
    """What the fold reads of an event: a ``RollupEventSpec`` or a stored outbox row."""

    @property
    def kind(self) -> str: ...
    @property
    def occurred_at(self) -> dt.datetime: ...
    @property
    def centre_id(self) -> int: ...
    @property
    def service_id(self) -> int: ...
    @property
    def amount_paise(self) -> int: ...
    @property
    def weight(self) -> int: ...
    @property
    def application_id(self) -> int | None: ...
    @property
    def transfer_id(self) -> str: ...
    @property
    def on_time(self) -> bool | None: ...
    @property
    def simulated(self) -> bool: ...


def event_check(spec: RollupEventSpec) -> None:
    """Raise ``InvalidInput`` for an event the outbox must not hold."""
    if spec.kind not in KINDS:
        raise InvalidInput(details={"kind": spec.kind})
    if not (0 <= spec.amount_paise <= MAX_PAISE and 1 <= spec.weight <= MAX_WEIGHT):
        raise InvalidInput(details={"amount_paise": spec.amount_paise, "weight": spec.weight})
    if len(spec.transfer_id) > TRANSFER_ID_LENGTH:
        raise InvalidInput(details={"transfer_id": len(spec.transfer_id)})
    if spec.occurred_at.tzinfo is None:
        raise InvalidInput(details={"occurred_at": "naive"})
    if spec.kind == PAID and spec.amount_paise <= 0:
        raise InvalidInput(details={"amount_paise": spec.amount_paise})


def events_check(specs: Sequence[RollupEventSpec]) -> None:
    """``event_check`` each spec; the usual case (all good) in one quick pass."""
    for spec in specs:
        amount = spec.amount_paise
        if not (
            spec.kind in KINDS
            and 0 <= amount <= MAX_PAISE
            and 1 <= spec.weight <= MAX_WEIGHT
            and len(spec.transfer_id) <= TRANSFER_ID_LENGTH
            and spec.occurred_at.tzinfo is not None
            and (amount > 0 or spec.kind != PAID)
        ):
            event_check(spec)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(IST).date()


def cells_of(day: dt.date, district_id: int, department_id: int, service_id: int) -> dict:
    """The keys of every rollup cell that one (day, district, department, service) feeds,
    each once (an unknown district or department is ``ALL``, and names a cell only once).

    The transparency check spreads its recomputed sums with this; the fold (``spread``)
    gives the same cells level by level."""
    periods = ((DAY, day), (MONTH, day.replace(day=1)), (ALL_TIME, ALL_TIME_PERIOD))
    dims = (
        (ALL, ALL, ALL),
        (district_id, ALL, ALL),
        (ALL, department_id, ALL),
        (district_id, department_id, ALL),
        (ALL, department_id, service_id),
        (district_id, department_id, service_id),
    )
    return dict.fromkeys((grain, period, *dim) for grain, period in periods for dim in dims)


def fold(
    events: Sequence[Event],
    *,
    district_of: Mapping[int, int],
    department_of: Mapping[int, int],
    paise_total: int,
    services_total: int,
) -> tuple[Cells, list[Crossing]]:
    """Fold ``events``, in this order, into the rollup cells they feed (sums to add, keyed
    (grain, period, district, department, service)) and the thresholds they cross, from
    the all-time totals ``paise_total`` and ``services_total``.

    Events are summed per (day, district, department, service), then spread to every cell
    (``spread``). A threshold is crossed by the event that brings the running total from
    below it to at or above it; one event may cross several.
    """
    day_of: dict[dt.datetime, dt.date] = {}
    base: Cells = {}
    # The next threshold above each running total: one comparison per event.
    paise_index = bisect_right(PAISE_THRESHOLDS, paise_total)
    services_index = bisect_right(SERVICE_THRESHOLDS, services_total)
    next_paise = _threshold(PAISE_THRESHOLDS, paise_index)
    next_services = _threshold(SERVICE_THRESHOLDS, services_index)
    crossings: list[Crossing] = []
    last_at: dt.datetime | None = None
    day = ALL_TIME_PERIOD
    for event in events:
        occurred_at = event.occurred_at
        if occurred_at is not last_at:  # a batch's events mostly share one time object
            last_at = occurred_at
            day = day_of.get(occurred_at) or day_of.setdefault(occurred_at, local_day(occurred_at))
        service_id = event.service_id
        key = (
            day,
            district_of.get(event.centre_id, ALL),
            department_of.get(service_id, ALL),
            service_id,
        )
        sums = base.get(key)
        if sums is None:
            sums = base[key] = [0, 0, 0, 0, 0, 0, 0]
        kind, weight = event.kind, event.weight
        # sums follow METRICS: applications, services_delivered, wallet_transactions,
        # paise, delivered_timed, delivered_on_time, simulated_events.
        if kind == SUBMITTED:
            sums[0] += weight
        elif kind == DELIVERED:
            sums[1] += weight
            on_time = event.on_time
            if on_time is not None:
                sums[4] += weight
                if on_time:
                    sums[5] += weight
            services_total += weight
            if services_total >= next_services:
                services_index, next_services = _crossings(
                    event, SERVICES, SERVICE_THRESHOLDS, services_index, services_total, crossings
                )
        elif kind == PAID:
            amount = event.amount_paise
            sums[2] += weight
            sums[3] += amount
            paise_total += amount
            if paise_total >= next_paise:
                paise_index, next_paise = _crossings(
                    event, PAISE, PAISE_THRESHOLDS, paise_index, paise_total, crossings
                )
        if event.simulated:
            sums[6] += weight
    return spread(base), crossings


def _threshold(thresholds: tuple[int, ...], index: int) -> int:
    return thresholds[index] if index < len(thresholds) else _NEVER


def _crossings(
    event: Event,
    metric: str,
    thresholds: tuple[int, ...],
    index: int,
    total: int,
    into: list[Crossing],
) -> tuple[int, int]:
    """Record a crossing for each threshold from ``thresholds[index]`` that the running
    ``total`` has reached with ``event``; returns the index and value of the next one."""
    while index < len(thresholds) and thresholds[index] <= total:
        into.append(
            Crossing(
                metric=metric,
                threshold=thresholds[index],
                crossed_at=event.occurred_at,
                value_after=total,
                application_id=event.application_id,
                transfer_id=event.transfer_id,
                centre_id=event.centre_id,
                service_id=event.service_id,
                simulated=event.simulated,
            )
        )
        index += 1
    return index, _threshold(thresholds, index)


def _add(into: Cells, key: tuple, sums: list[int]) -> None:
    total = into.get(key)
    if total is None:
        into[key] = sums.copy()
    else:
        for i, value in enumerate(sums):
            total[i] += value


def _cube(leaves: Cells) -> Cells:
    """Sums keyed (district, department, service) → every (dims) cell they feed.

    Each level sums the one below it. Where an unknown district or department (``ALL``)
    makes two levels name the same cell, the coarser level, written later, holds the whole
    sum: each event counts once in every cell, as in ``cells_of``."""
    services: Cells = {}  # (ALL, department, service)
    departments_in: Cells = {}  # (district, department, ALL)
    for (district, department, service), sums in leaves.items():
        _add(services, (ALL, department, service), sums)
        _add(departments_in, (district, department, ALL), sums)
    departments: Cells = {}  # (ALL, department, ALL)
    districts: Cells = {}  # (district, ALL, ALL)
    for (district, department, _all), sums in departments_in.items():
        _add(departments, (ALL, department, ALL), sums)
        _add(districts, (district, ALL, ALL), sums)
    everything: Cells = {}
    for sums in districts.values():
        _add(everything, (ALL, ALL, ALL), sums)
    return leaves | services | departments_in | departments | districts | everything


def _merged(cubes: list[Cells]) -> Cells:
    if len(cubes) == 1:
        return cubes[0]
    merged: Cells = {}
    for cube in cubes:
        for key, sums in cube.items():
            _add(merged, key, sums)
    return merged


def spread(base: Cells) -> Cells:
    """Sums keyed (day, district, department, service) → every rollup cell they feed, at
    the three grains (a month or all time of one day reuses that day's sums)."""
    leaves_of: dict[dt.date, Cells] = defaultdict(dict)
    for (day, district, department, service), sums in base.items():
        leaves_of[day][(district, department, service)] = sums
    day_cubes = {day: _cube(leaves) for day, leaves in leaves_of.items()}
    days_of: dict[dt.date, list[Cells]] = defaultdict(list)
    for day, cube in day_cubes.items():
        days_of[day.replace(day=1)].append(cube)
    month_cubes = {month: _merged(cubes) for month, cubes in days_of.items()}
    grains = [(DAY, day, cube) for day, cube in day_cubes.items()]
    grains += [(MONTH, month, cube) for month, cube in month_cubes.items()]
    grains.append((ALL_TIME, ALL_TIME_PERIOD, _merged(list(month_cubes.values()))))
    return {
        (grain, period, *dims): sums
        for grain, period, cube in grains
        for dims, sums in cube.items()
    }
