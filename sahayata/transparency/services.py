"""Writes of the transparency app: the rollup outbox and its exactly-once consumer.

``rollup_event_record`` is called by the applications and wallet services *inside* their
transactions. ``rollups_apply`` folds waiting events into the rollup cube and records the
milestones; it runs after commit and from ``manage.py rollups_apply``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from sahayata.catalogue.models import Service
from sahayata.core.errors import InvalidInput
from sahayata.places.models import Centre
from sahayata.transparency.models import ALL, Milestone, Rollup, RollupEvent

log = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
ALL_TIME_PERIOD = dt.date(2000, 1, 1)
CRORE_PAISE = 100 * 1_00_00_000  # ₹1 crore in paise
LAKH = 1_00_000
PAISE_THRESHOLDS: tuple[int, ...] = tuple(
    n * CRORE_PAISE for n in (1, 10, 100, 500, 1_000, 2_000, 5_000)
)
SERVICE_THRESHOLDS: tuple[int, ...] = (LAKH, 10 * LAKH, 100 * LAKH)
KINDS = frozenset(RollupEvent.Kind.values)
METRICS = (
    "applications",
    "services_delivered",
    "wallet_transactions",
    "paise",
    "delivered_timed",
    "delivered_on_time",
    "simulated_events",
)


@dataclass(frozen=True, slots=True)
class RollupEventSpec:
    """One outbox event, for the batch path (the simulator)."""

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


def _validate(spec: RollupEventSpec) -> None:
    if spec.kind not in KINDS:
        raise InvalidInput(details={"kind": spec.kind})
    if spec.amount_paise < 0 or spec.weight < 1:
        raise InvalidInput(details={"amount_paise": spec.amount_paise, "weight": spec.weight})
    if spec.occurred_at.tzinfo is None:
        raise InvalidInput(details={"occurred_at": "naive"})
    if spec.kind == RollupEvent.Kind.PAYMENT_POSTED and spec.amount_paise <= 0:
        raise InvalidInput(details={"amount_paise": spec.amount_paise})


def _row(spec: RollupEventSpec) -> RollupEvent:
    return RollupEvent(
        kind=spec.kind,
        occurred_at=spec.occurred_at,
        centre_id=spec.centre_id,
        service_id=spec.service_id,
        amount_paise=spec.amount_paise,
        weight=spec.weight,
        application_id=spec.application_id,
        transfer_id=spec.transfer_id,
        on_time=spec.on_time,
        simulated=spec.simulated,
    )


def rollup_event_record(
    *,
    kind: str,
    occurred_at: dt.datetime,
    centre_id: int,
    service_id: int,
    amount_paise: int = 0,
    weight: int = 1,
    application_id: int | None = None,
    transfer_id: str = "",
    on_time: bool | None = None,
    simulated: bool = False,
) -> None:
    """Write one outbox event in the caller's transaction; it is folded after commit.

    ``kind`` is application_submitted, service_delivered or payment_posted. A payment
    carries its ``amount_paise`` (the whole service payment of one application) and the
    id of the transfer that posted it; a delivery may say whether it met its time limit.
    ``weight`` > 1 stands for sampled events (the simulator's free services).
    """
    spec = RollupEventSpec(
        kind=kind,
        occurred_at=occurred_at,
        centre_id=centre_id,
        service_id=service_id,
        amount_paise=amount_paise,
        weight=weight,
        application_id=application_id,
        transfer_id=str(transfer_id or ""),
        on_time=on_time,
        simulated=simulated,
    )
    _validate(spec)
    _row(spec).save(force_insert=True)
    if getattr(settings, "SAHAYATA_ROLLUPS_ON_COMMIT", True):
        transaction.on_commit(_apply_after_commit)


def rollup_events_record_batch(*, events: Sequence[RollupEventSpec]) -> None:
    """The batch path: many outbox events in one multi-row insert, in the caller's
    transaction (plain parameters instead of model instances: the simulator writes
    millions)."""
    for spec in events:
        _validate(spec)
    ops = connection.ops
    rows = [
        (
            spec.kind,
            ops.adapt_datetimefield_value(spec.occurred_at),
            spec.centre_id,
            spec.service_id,
            spec.amount_paise,
            spec.weight,
            spec.application_id,
            spec.transfer_id,
            spec.on_time,
            spec.simulated,
        )
        for spec in events
    ]
    _insert(RollupEvent._meta.db_table, _EVENT_COLUMNS, rows)


_EVENT_COLUMNS = (
    "kind",
    "occurred_at",
    "centre_id",
    "service_id",
    "amount_paise",
    "weight",
    "application_id",
    "transfer_id",
    "on_time",
    "simulated",
)


def _unnest_insert_sql(model: Any, columns: Sequence[str], suffix: str = "") -> str:
    """PostgreSQL: one short INSERT of every row, one array parameter per column (psycopg
    parses a statement longer than 4 KiB anew at every call, and per-row statements cost the
    server more). Only identifiers and column types are interpolated."""
    types = {f.column: f.db_type(connection) for f in model._meta.concrete_fields}
    arrays = ", ".join(f"%s::{types[c]}[]" for c in columns)
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays}){suffix}"
    )


def _insert(table: str, columns: Sequence[str], rows: Sequence[tuple], chunk: int = 500) -> None:
    """A multi-row INSERT in chunks; only constant identifiers are interpolated."""
    if connection.vendor == "postgresql":
        assert table == RollupEvent._meta.db_table
        if rows:
            with connection.cursor() as cursor:
                cursor.execute(
                    _unnest_insert_sql(RollupEvent, columns),
                    [list(c) for c in zip(*rows, strict=True)],
                )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(  # noqa: S608
                [one] * len(part)
            )
            cursor.execute(sql, [value for row in part for value in row])


def _apply_after_commit() -> None:
    # The cause has committed; a failure here only delays the rollup, and the command
    # `rollups_apply` (or the next commit) catches up.
    try:
        rollups_apply(limit=1_000)
    except DatabaseError:
        log.warning("rollups_apply after commit failed; events stay in the outbox", exc_info=True)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(IST).date()


_FIELDS = (
    "pk",
    "kind",
    "occurred_at",
    "centre_id",
    "service_id",
    "amount_paise",
    "weight",
    "application_id",
    "transfer_id",
    "on_time",
    "simulated",
)


def _deltas(
    kind: str, amount_paise: int, weight: int, on_time: bool | None, simulated: bool
) -> tuple[int, int, int, int, int, int, int]:
    applications = delivered = transactions = paise = timed = on_time_count = 0
    if kind == RollupEvent.Kind.APPLICATION_SUBMITTED:
        applications = weight
    elif kind == RollupEvent.Kind.SERVICE_DELIVERED:
        delivered = weight
        if on_time is not None:
            timed = weight
            on_time_count = weight if on_time else 0
    elif kind == RollupEvent.Kind.PAYMENT_POSTED:
        transactions = weight
        paise = amount_paise
    return (
        applications,
        delivered,
        transactions,
        paise,
        timed,
        on_time_count,
        weight if simulated else 0,
    )


def cells_of(day: dt.date, district_id: int, department_id: int, service_id: int) -> Iterable:
    """The keys of every rollup cell that one (day, district, department, service) feeds."""
    periods = (
        (Rollup.Grain.DAY.value, day),
        (Rollup.Grain.MONTH.value, day.replace(day=1)),
        (Rollup.Grain.ALL_TIME.value, ALL_TIME_PERIOD),
    )
    dims = (
        (ALL, ALL, ALL),
        (district_id, ALL, ALL),
        (ALL, department_id, ALL),
        (district_id, department_id, ALL),
        (ALL, department_id, service_id),
        (district_id, department_id, service_id),
    )
    for grain, period in periods:
        for dim in dims:
            yield (grain, period, *dim)


def _upsert(cells: dict[tuple, list[int]]) -> None:
    table = Rollup._meta.db_table
    columns = ("grain", "period", "district_id", "department_id", "service_id", *METRICS)
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in METRICS)
    keys = sorted(cells)  # a fixed order, so that concurrent consumers never deadlock
    if connection.vendor == "postgresql":
        adapt = connection.ops.adapt_datefield_value
        rows = [(key[0], adapt(key[1]), *key[2:], *cells[key]) for key in keys]
        with connection.cursor() as cursor:
            cursor.execute(
                _unnest_insert_sql(
                    Rollup,
                    columns,
                    " ON CONFLICT (grain, period, district_id, department_id, service_id)"
                    f" DO UPDATE SET {updates}",
                ),
                [list(c) for c in zip(*rows, strict=True)],
            )
        return
    chunk = 400
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(part))
            params: list = []
            for key in part:
                grain, period, district_id, department_id, service_id = key
                params.extend(
                    (
                        grain,
                        connection.ops.adapt_datefield_value(period),
                        district_id,
                        department_id,
                        service_id,
                        *cells[key],
                    )
                )
            # Only constant identifiers are interpolated; every value is a parameter.
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "  # noqa: S608
                f"ON CONFLICT (grain, period, district_id, department_id, service_id) "
                f"DO UPDATE SET {updates}"
            )
            cursor.execute(sql, params)


def _locked_totals() -> Rollup:
    _upsert({(Rollup.Grain.ALL_TIME.value, ALL_TIME_PERIOD, ALL, ALL, ALL): [0] * len(METRICS)})
    return Rollup.objects.select_for_update().get(
        grain=Rollup.Grain.ALL_TIME,
        period=ALL_TIME_PERIOD,
        district_id=ALL,
        department_id=ALL,
        service_id=ALL,
    )


def _crossed(before: int, after: int, thresholds: tuple[int, ...]) -> list[int]:
    return [t for t in thresholds if before < t <= after]


def rollups_apply(*, limit: int = 10_000) -> int:
    """Fold up to ``limit`` outbox events into the rollups, exactly once; returns the count.

    Consumers first lock the all-time totals cell, then the oldest waiting events (SKIP
    LOCKED on PostgreSQL), fold them and delete them in the same transaction. So every
    event is folded once, milestones are computed from a consistent total, and each
    threshold is crossed exactly once, by the event that crossed it in outbox order.
    """
    if not RollupEvent.objects.exists():
        return 0
    with transaction.atomic():
        # Lock the totals cell first: consumers take turns, so each takes the oldest
        # waiting events and milestones follow the outbox order.
        totals = _locked_totals()
        events = list(
            RollupEvent.objects.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list(*_FIELDS)[:limit]
        )
        if not events:
            return 0
        district_of = dict(
            Centre.objects.filter(pk__in={e[3] for e in events}).values_list("pk", "district_id")
        )
        department_of = dict(
            Service.objects.filter(pk__in={e[4] for e in events}).values_list("pk", "department_id")
        )
        events.sort(key=lambda e: (e[2], e[0]))
        # Sum per (day, district, department, service) first; spread to the cells after.
        base: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
        paise_total, services_total = totals.paise, totals.services_delivered
        milestones: list[Milestone] = []
        for (
            _pk,
            kind,
            occurred_at,
            centre_id,
            service_id,
            amount_paise,
            weight,
            application_id,
            transfer_id,
            on_time,
            simulated,
        ) in events:
            deltas = _deltas(kind, amount_paise, weight, on_time, simulated)
            key = (
                local_day(occurred_at),
                district_of.get(centre_id, ALL),
                department_of.get(service_id, ALL),
                service_id,
            )
            sums = base[key]
            for i, delta in enumerate(deltas):
                sums[i] += delta
            crossings = [
                (Milestone.Metric.PAISE, t, paise_total + deltas[3])
                for t in _crossed(paise_total, paise_total + deltas[3], PAISE_THRESHOLDS)
            ] + [
                (Milestone.Metric.SERVICES, t, services_total + deltas[1])
                for t in _crossed(services_total, services_total + deltas[1], SERVICE_THRESHOLDS)
            ]
            paise_total += deltas[3]
            services_total += deltas[1]
            for metric, threshold, value_after in crossings:
                milestones.append(
                    Milestone(
                        metric=metric,
                        threshold=threshold,
                        crossed_at=occurred_at,
                        value_after=value_after,
                        application_id=application_id,
                        transfer_id=transfer_id,
                        centre_id=centre_id,
                        service_id=service_id,
                        simulated=simulated,
                    )
                )
        cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
        for key, sums in base.items():
            for cell_key in cells_of(*key):
                cell = cells[cell_key]
                for i, value in enumerate(sums):
                    cell[i] += value
        _upsert(cells)
        if milestones:
            Milestone.objects.bulk_create(milestones)
        ids = [e[0] for e in events]
        for start in range(0, len(ids), 10_000):
            RollupEvent.objects.filter(pk__in=ids[start : start + 10_000]).delete()
    return len(events)


def rollups_apply_all(*, limit: int = 10_000) -> int:
    """Drain the outbox; returns how many events were folded."""
    total = 0
    while folded := rollups_apply(limit=limit):
        total += folded
    return total
