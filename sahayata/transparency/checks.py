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

from django.db.models import Model

from sahayata.applications.models import Application
from sahayata.applications.workflows import REGISTRY, Effect
from sahayata.core import dialect
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


@dataclass
class Report:
    cells_compared: int = 0
    differences: list[tuple[tuple, str, int, int]] = field(default_factory=list)
    orphan_payments: int = 0
    difference_count: int = 0

    @property
    def ok(self) -> bool:
        return self.difference_count == 0 and self.orphan_payments == 0


def _rows(sql: str, params: list) -> Iterator[tuple]:
    return dialect.rows_fetch(sql, params, hash_joins=True)


# The recomputing queries; ``dialect.statement`` fills in the tables and expressions.
_SUBMITTED = (
    "SELECT {submitted_day}, {dims}, SUM({weight}) FROM {app} a "
    "JOIN {centre} c ON c.id = a.centre_id GROUP BY 1, 2, 3, 4"
)
_DELIVERED = (
    "SELECT {closed_day}, {dims}, SUM({weight}), "
    "SUM(CASE WHEN {closed_day} <= a.due_date THEN {weight} ELSE 0 END) "
    "FROM {app} a JOIN {centre} c ON c.id = a.centre_id "
    "WHERE a.status IN ({marks}) AND a.closed_at IS NOT NULL GROUP BY 1, 2, 3, 4"
)
_POSTED = (
    "SELECT {closed_day}, {dims}, COUNT(*), SUM(p.paise) FROM "
    "(SELECT reference, SUM(amount_paise) AS paise FROM {transfer} "
    "WHERE kind = %s AND code = %s GROUP BY reference) p "
    "JOIN {app} a ON a.number = p.reference JOIN {centre} c ON c.id = a.centre_id "
    "GROUP BY 1, 2, 3, 4"
)
_ORPHANS = (
    "SELECT COUNT(DISTINCT t.reference) FROM {transfer} t "
    "LEFT JOIN {app} a ON a.number = t.reference "
    "WHERE t.kind = %s AND t.code = %s AND a.id IS NULL"
)


def expected_cube() -> tuple[dict[tuple, list[int]], int]:
    """The rollup cube as the ledger and the applications say it should be."""
    base: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
    index = {name: i for i, name in enumerate(METRICS)}
    parts: dict[str, type[Model] | str] = {
        "app": Application,
        "centre": Centre,
        "transfer": Transfer,
        "weight": "a.sample_weight",
        "dims": "c.district_id, a.department_id, a.service_id",
        "submitted_day": dialect.local_date("a.submitted_at"),
        "closed_day": dialect.local_date("a.closed_at"),
    }
    submitted = dialect.statement(_SUBMITTED, **parts)
    for day, district, department, service, count in _rows(submitted, []):
        base[(_as_date(day), district, department, service)][index["applications"]] += count
    states = delivered_states()
    marks = ", ".join(["%s"] * len(states))
    delivered = dialect.statement(_DELIVERED, marks=marks, **parts)
    for day, district, department, service, count, on_time in _rows(delivered, states):
        sums = base[(_as_date(day), district, department, service)]
        sums[index["services_delivered"]] += count
        sums[index["delivered_timed"]] += count
        sums[index["delivered_on_time"]] += on_time
    posted = dialect.statement(_POSTED, **parts)
    params = [TransferKind.POST_PENDING.value, TransferCode.SERVICE_FEE.value]
    for day, district, department, service, count, paise in _rows(posted, params):
        sums = base[(_as_date(day), district, department, service)]
        sums[index["wallet_transactions"]] += count
        sums[index["paise"]] += int(paise)
    orphans = next(_rows(dialect.statement(_ORPHANS, **parts), params))[0]
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
