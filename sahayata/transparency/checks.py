"""``transparency_check``: recompute the rollups from the ledger and the applications.

Money and wallet transactions come from the ledger: posted ``service_fee`` transfers,
summed per application (its number is the transfers' reference), dated by the
application's closing time. Applications and deliveries come from the applications
table, weighted for the simulator's sampled free services (``sample_weight``). The
recomputed cube is compared with every rollup cell; ``simulated_events`` (a label) is not
compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from sahayata.applications.models import Application
from sahayata.applications.workflows import REGISTRY, Effect
from sahayata.places.models import Centre
from sahayata.transparency.models import Rollup
from sahayata.transparency.services import METRICS, cells_of, rollups_apply_all
from sahayata.wallet.models import Transfer, TransferCode, TransferKind

COMPARED = METRICS[:-1]  # everything but simulated_events


def delivered_states() -> list[str]:
    """States an application reaches by a step that delivers the service."""
    return sorted(
        {
            action.to_state
            for workflow in REGISTRY.values()
            for action in workflow.actions
            if Effect.DELIVER in action.effects
        }
    )


def _day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column} AT TIME ZONE 'Asia/Kolkata')::date)"
    return f"date({column}, '+330 minutes')"


def _weight_sql() -> str:
    return "a.sample_weight"


def _rows(sql: str, params: list) -> Iterator[tuple]:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(5_000):
                yield from batch
        return
    # Whole-table aggregates want hash joins. Without fresh statistics (rows written in the
    # same transaction, as in tests) the planner may pick nested loops: quadratic here.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_nestloop')")
        before = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_nestloop = off")
        try:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        finally:
            cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [before])
    yield from rows


@dataclass
class Report:
    cells_compared: int = 0
    differences: list[tuple[tuple, str, int, int]] = field(default_factory=list)
    orphan_payments: int = 0
    difference_count: int = 0

    @property
    def ok(self) -> bool:
        return self.difference_count == 0 and self.orphan_payments == 0


def expected_cube() -> tuple[dict[tuple, list[int]], int]:
    """The rollup cube as the ledger and the applications say it should be."""
    app = Application._meta.db_table
    centre = Centre._meta.db_table
    transfer = Transfer._meta.db_table
    base: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
    index = {name: i for i, name in enumerate(METRICS)}
    weight = _weight_sql()
    dims = "c.district_id, a.department_id, a.service_id"
    # Only constant identifiers and expressions are interpolated; values are parameters.
    submitted = (
        f"SELECT {_day('a.submitted_at')}, {dims}, SUM({weight}) FROM {app} a "  # noqa: S608
        f"JOIN {centre} c ON c.id = a.centre_id GROUP BY 1, 2, 3, 4"
    )
    for day, district, department, service, count in _rows(submitted, []):
        base[(_as_date(day), district, department, service)][index["applications"]] += count
    states = delivered_states()
    marks = ", ".join(["%s"] * len(states))
    delivered = (
        f"SELECT {_day('a.closed_at')}, {dims}, SUM({weight}), "  # noqa: S608
        f"SUM(CASE WHEN {_day('a.closed_at')} <= a.due_date THEN {weight} ELSE 0 END) "
        f"FROM {app} a JOIN {centre} c ON c.id = a.centre_id "
        f"WHERE a.status IN ({marks}) AND a.closed_at IS NOT NULL GROUP BY 1, 2, 3, 4"
    )
    for day, district, department, service, count, on_time in _rows(delivered, states):
        sums = base[(_as_date(day), district, department, service)]
        sums[index["services_delivered"]] += count
        sums[index["delivered_timed"]] += count
        sums[index["delivered_on_time"]] += on_time
    posted = (
        f"SELECT {_day('a.closed_at')}, {dims}, COUNT(*), SUM(p.paise) FROM "  # noqa: S608
        f"(SELECT reference, SUM(amount_paise) AS paise FROM {transfer} "
        f"WHERE kind = %s AND code = %s GROUP BY reference) p "
        f"JOIN {app} a ON a.number = p.reference JOIN {centre} c ON c.id = a.centre_id "
        f"GROUP BY 1, 2, 3, 4"
    )
    params = [TransferKind.POST_PENDING.value, TransferCode.SERVICE_FEE.value]
    for day, district, department, service, count, paise in _rows(posted, params):
        sums = base[(_as_date(day), district, department, service)]
        sums[index["wallet_transactions"]] += count
        sums[index["paise"]] += int(paise)
    orphans_sql = (
        f"SELECT COUNT(DISTINCT t.reference) FROM {transfer} t "  # noqa: S608
        f"LEFT JOIN {app} a ON a.number = t.reference "
        f"WHERE t.kind = %s AND t.code = %s AND a.id IS NULL"
    )
    orphans = next(_rows(orphans_sql, params))[0]
    cube: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
    for key, sums in base.items():
        for cell_key in cells_of(*key):
            cell = cube[cell_key]
            for i, value in enumerate(sums):
                cell[i] += value
    return cube, int(orphans or 0)


def _as_date(value: object) -> object:
    import datetime as dt

    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def transparency_check(*, apply_waiting: bool = True, limit: int = 20) -> Report:
    """Compare every rollup cell with the recomputed cube."""
    if apply_waiting:
        rollups_apply_all()
    expected, orphans = expected_cube()
    report = Report(orphan_payments=orphans)
    seen = set()
    columns = ("grain", "period", "district_id", "department_id", "service_id", *COMPARED)
    for row in Rollup.objects.values_list(*columns).iterator(chunk_size=5_000):
        key = tuple(row[:5])
        seen.add(key)
        want = expected.get(key, [0] * len(METRICS))
        report.cells_compared += 1
        for i, name in enumerate(COMPARED):
            if row[5 + i] != want[i]:
                report.difference_count += 1
                if len(report.differences) < limit:
                    report.differences.append((key, name, want[i], row[5 + i]))
    for key, want in expected.items():
        if key in seen or not any(want[: len(COMPARED)]):
            continue
        report.cells_compared += 1
        for i, name in enumerate(COMPARED):
            if want[i]:
                report.difference_count += 1
                if len(report.differences) < limit:
                    report.differences.append((key, name, want[i], 0))
    return report
