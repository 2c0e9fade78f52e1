"""The batch fold: ``rollups_fold_batch`` gives the outbox consumer's cells and milestones."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from sahayata.applications.models import Application
from sahayata.catalogue.models import Service
from sahayata.core import dialect
from sahayata.core.clock import IST
from sahayata.core.errors import InvalidInput
from sahayata.places.models import Centre
from sahayata.transparency import fold, services
from sahayata.transparency.checks import transparency_check
from sahayata.transparency.models import ALL, Milestone, Rollup, RollupEvent
from sahayata.transparency.services import (
    CRORE_PAISE,
    LAKH,
    METRICS,
    PAISE_THRESHOLDS,
    SERVICE_THRESHOLDS,
    RollupEventSpec,
    cells_of,
    local_day,
    rollup_events_record_batch,
    rollups_apply_all,
    rollups_fold_batch,
)
from tests.factories.catalogue import DepartmentFactory, ServiceFactory
from tests.factories.places import BlockFactory, CentreFactory
from tests.factories.transparency import simulation_world

# Two days before a month's end, late in the evening: events spill over midnight (in
# Kolkata, not in UTC) and into the next month.
T0 = dt.datetime(2025, 3, 30, 21, 0, tzinfo=IST)
KINDS = ("application_submitted", "service_delivered", "payment_posted")
MILESTONE_FIELDS = (
    "metric",
    "threshold",
    "crossed_at",
    "value_after",
    "application_id",
    "transfer_id",
    "centre_id",
    "service_id",
    "simulated",
)
CELL = ("grain", "period", "district_id", "department_id", "service_id")


class Rollback(Exception):
    pass


@pytest.fixture
def net(db: Any) -> dict[str, list[int]]:
    """Three districts, seven centres, two departments, five services."""
    blocks = [BlockFactory() for _ in range(3)]
    centres = [CentreFactory(block=blocks[i % 3]) for i in range(7)]
    departments = [DepartmentFactory() for _ in range(2)]
    services_ = [ServiceFactory(department=departments[i % 2]) for i in range(5)]
    return {"centres": [c.pk for c in centres], "services": [s.pk for s in services_]}


def random_events(rng: random.Random, net: dict[str, list[int]], count: int) -> list[Any]:
    """Events over four days and two months, with ties in time, weights, big payments."""
    utc = dt.UTC
    events = []
    for i in range(count):
        kind = rng.choice(KINDS)
        minute = rng.randrange(0, 4 * 24 * 60, 7)  # a coarse grid: many events share a time
        at = T0 + dt.timedelta(minutes=minute)
        amount = weight = 0
        if kind == "payment_posted":
            # mostly a counter payment; sometimes enough to cross several thresholds at once
            amount = rng.choice((rng.randint(1, 500_000), rng.randint(1, 600) * CRORE_PAISE))
            weight = 1
        else:
            weight = rng.choice((1, 1, 10, rng.randint(1, 4 * LAKH)))
        events.append(
            RollupEventSpec(
                kind=kind,
                occurred_at=at.astimezone(utc) if rng.random() < 0.5 else at,
                centre_id=rng.choice(net["centres"]),
                service_id=rng.choice(net["services"]),
                amount_paise=amount,
                weight=weight,
                application_id=rng.choice((None, rng.randint(1, 10**9))),
                transfer_id=f"t-{i}" if kind == "payment_posted" else "",
                on_time=rng.choice((True, False, None)) if kind == "service_delivered" else None,
                simulated=rng.random() < 0.5,
            )
        )
    return events


def snapshot() -> tuple[list[tuple], list[tuple]]:
    """Every rollup cell and every milestone (in recording order), without ids and clocks."""
    cells = sorted(Rollup.objects.values_list(*CELL, *METRICS))
    milestones = list(Milestone.objects.order_by("pk").values_list(*MILESTONE_FIELDS))
    return cells, milestones


def through_outbox(calls: list[list[Any]]) -> tuple[list[tuple], list[tuple]]:
    with pytest.raises(Rollback), transaction.atomic():
        for events in calls:
            rollup_events_record_batch(events=events)
            rollups_apply_all()
        taken = snapshot()
        raise Rollback
    return taken


def folded(calls: list[list[Any]]) -> tuple[list[tuple], list[tuple]]:
    with pytest.raises(Rollback), transaction.atomic():
        for events in calls:
            assert rollups_fold_batch(events=events) == len(events)
        assert not RollupEvent.objects.exists()
        taken = snapshot()
        raise Rollback
    return taken


def reference(calls: list[list[Any]]) -> tuple[list[tuple], list[tuple]]:
    """The rollups and milestones worked out naively, one event and one cell at a time."""
    district_of = dict(Centre.objects.values_list("pk", "district_id"))
    department_of = dict(Service.objects.values_list("pk", "department_id"))
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
    milestones = []
    totals = {"paise": 0, "services_delivered": 0}
    thresholds = {"paise": PAISE_THRESHOLDS, "services_delivered": SERVICE_THRESHOLDS}
    for events in calls:
        ordered = sorted(enumerate(events), key=lambda pair: (pair[1].occurred_at, pair[0]))
        for _, e in ordered:
            delta = dict.fromkeys(METRICS, 0)
            if e.kind == "application_submitted":
                delta["applications"] = e.weight
            elif e.kind == "service_delivered":
                delta["services_delivered"] = e.weight
                if e.on_time is not None:
                    delta["delivered_timed"] = e.weight
                    delta["delivered_on_time"] = e.weight if e.on_time else 0
            else:
                delta["wallet_transactions"] = e.weight
                delta["paise"] = e.amount_paise
            delta["simulated_events"] = e.weight if e.simulated else 0
            dims = (district_of[e.centre_id], department_of[e.service_id], e.service_id)
            for key in cells_of(local_day(e.occurred_at), *dims):
                for i, metric in enumerate(METRICS):
                    cells[key][i] += delta[metric]
            for metric in ("paise", "services_delivered"):
                before = totals[metric]
                totals[metric] += delta[metric]
                for threshold in thresholds[metric]:
                    if before < threshold <= totals[metric]:
                        milestones.append(
                            (
                                metric,
                                threshold,
                                e.occurred_at,
                                totals[metric],
                                e.application_id,
                                e.transfer_id,
                                e.centre_id,
                                e.service_id,
                                e.simulated,
                            )
                        )
    return sorted((*key, *sums) for key, sums in cells.items()), milestones


@pytest.mark.parametrize("seed", range(6))
def test_fold_equals_outbox_and_consumer(
    net: dict[str, list[int]], seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    if seed % 2:  # SQLite: many upsert statements per call, not one
        monkeypatch.setattr(dialect, "SQLITE_UPSERT_ROWS", 7)
    events = random_events(rng, net, rng.randint(200, 700))
    # Three calls: the later ones start from totals and cells the earlier ones left.
    cut1, cut2 = sorted(rng.sample(range(1, len(events)), 2))
    calls = [events[:cut1], events[cut1:cut2], events[cut2:]]
    expected = through_outbox(calls)
    assert folded(calls) == expected
    assert reference(calls) == expected
    cells, milestones = expected
    # The data does exercise what it claims to: days of two months, several crossings.
    assert {c[1] for c in cells if c[0] == "month"} == {dt.date(2025, 3, 1), dt.date(2025, 4, 1)}
    assert len({c[1] for c in cells if c[0] == "day"}) == 5
    metrics = [m[0] for m in milestones]
    assert metrics.count("paise") >= 4 and metrics.count("services_delivered") >= 2


def test_one_event_crossing_several_thresholds_in_a_call(net: dict[str, list[int]]) -> None:
    centre, service = net["centres"][0], net["services"][0]

    def pay(minute: int, amount: int, application_id: int) -> RollupEventSpec:
        return RollupEventSpec(
            kind="payment_posted",
            occurred_at=T0 + dt.timedelta(minutes=minute),
            centre_id=centre,
            service_id=service,
            amount_paise=amount,
            application_id=application_id,
            transfer_id=f"t-{application_id}",
        )

    # Given out of time order: the fold takes them by time (ties in the order given).
    calls = [[pay(5, 600 * CRORE_PAISE, 3), pay(0, CRORE_PAISE // 2, 1), pay(0, 200, 2)]]
    assert folded(calls) == through_outbox(calls)
    rollups_fold_batch(events=calls[0])
    crossings = Milestone.objects.order_by("pk").values_list("threshold", "application_id")
    assert list(crossings) == [(t * CRORE_PAISE, 3) for t in (1, 10, 100, 500)]
    assert Milestone.objects.get(threshold=CRORE_PAISE).value_after == (
        600 * CRORE_PAISE + CRORE_PAISE // 2 + 200
    )


def test_outbox_events_come_before_the_batch(net: dict[str, list[int]]) -> None:
    centre, service = net["centres"][1], net["services"][1]

    def pay(at: dt.datetime, application_id: int) -> RollupEventSpec:
        return RollupEventSpec(
            kind="payment_posted",
            occurred_at=at,
            centre_id=centre,
            service_id=service,
            amount_paise=CRORE_PAISE * 6 // 10,
            application_id=application_id,
            transfer_id=f"t-{application_id}",
        )

    waiting = [pay(T0 + dt.timedelta(hours=5), 1)]  # later in time, but already waiting
    batch = [pay(T0, 2)]
    rollup_events_record_batch(events=waiting)
    assert rollups_fold_batch(events=batch) == 1
    assert not RollupEvent.objects.exists()
    crossing = Milestone.objects.get()
    # The outbox was folded first (₹0.6 crore), so the batch's payment crossed ₹1 crore.
    assert (crossing.application_id, crossing.crossed_at) == (2, T0)
    assert Rollup.objects.get(grain="all", district_id=ALL, department_id=ALL, service_id=ALL).paise
    fold_result = snapshot()
    Rollup.objects.all().delete()
    Milestone.objects.all().delete()
    assert through_outbox([waiting, batch]) == fold_result


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "refund"}, "kind"),
        ({"weight": 0}, "weight"),
        ({"weight": 2**31}, "weight"),
        ({"amount_paise": -1}, "amount_paise"),
        ({"kind": "payment_posted", "amount_paise": 0}, "amount_paise"),
        ({"occurred_at": dt.datetime(2025, 1, 1, 10, 0)}, "occurred_at"),
        ({"transfer_id": "x" * 65}, "transfer_id"),
    ],
)
def test_bad_specs_are_refused_and_nothing_is_written(
    net: dict[str, list[int]], change: dict[str, Any], field: str
) -> None:
    good = {
        "kind": "payment_posted",
        "occurred_at": T0,
        "centre_id": net["centres"][0],
        "service_id": net["services"][0],
        "amount_paise": 2 * CRORE_PAISE,
    }
    waiting = RollupEventSpec(**good)
    rollup_events_record_batch(events=[waiting])
    batch = [RollupEventSpec(**good), RollupEventSpec(**(good | change))]
    with pytest.raises(InvalidInput) as caught:
        rollups_fold_batch(events=batch)
    assert field in caught.value.details
    # Nothing folded, not even the event already waiting in the outbox.
    assert RollupEvent.objects.count() == 1
    assert not Rollup.objects.exists()
    assert not Milestone.objects.exists()
    # The outbox path refuses the same spec.
    with pytest.raises(InvalidInput):
        rollup_events_record_batch(events=batch)
    assert RollupEvent.objects.count() == 1


def test_nothing_to_fold(net: dict[str, list[int]]) -> None:
    assert rollups_fold_batch(events=[]) == 0
    assert not Rollup.objects.exists()


def test_an_unknown_centre_counts_once_in_every_cell(net: dict[str, list[int]]) -> None:
    # A centre the places app does not know falls under "all districts", once.
    event = RollupEventSpec(
        kind="payment_posted",
        occurred_at=T0,
        centre_id=max(net["centres"]) + 1_000,
        service_id=net["services"][0],
        amount_paise=700,
    )
    calls = [[event]]
    assert folded(calls) == through_outbox(calls)
    rollups_fold_batch(events=[event])
    cells = Rollup.objects.filter(grain="day")
    assert cells.count() == 3  # all, the department, the department's service
    assert {c.paise for c in cells} == {700}


dims = st.tuples(
    st.sampled_from((ALL, 1, 2)), st.sampled_from((ALL, 10, 11)), st.sampled_from((ALL, 7, 8, 9))
)
sums = st.lists(st.integers(0, 10**6), min_size=len(METRICS), max_size=len(METRICS))
days = st.sampled_from([dt.date(2025, 3, 30), dt.date(2025, 3, 31), dt.date(2025, 4, 1)])


@given(st.dictionaries(st.tuples(days, dims).map(lambda t: (t[0], *t[1])), sums, max_size=30))
def test_spread_gives_the_cells_of_cells_of(base: dict[tuple, list[int]]) -> None:
    # The fold spreads level by level; cells_of names every cell of one key. Same cube,
    # unknown (ALL) dimensions included.
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
    for key, values in base.items():
        for cell in cells_of(*key):
            expected[cell] = [a + b for a, b in zip(expected[cell], values, strict=True)]
    copy = {key: list(values) for key, values in base.items()}
    assert fold.spread(copy) == dict(expected)


def test_simulation_folded_in_its_transactions_passes_the_check(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The simulator folds its batch events directly; through the outbox instead, the
    history, the rollups and the milestones are the same, and transparency_check passes."""
    from sahayata.simulator.services import simulation_run

    simulation_world()
    calls: list[int] = []
    fold = services.rollups_fold_batch

    def counted_fold(*, events: Any) -> int:
        calls.append(len(events))
        return fold(events=events)

    def through_outbox(*, events: Any) -> int:
        services.rollup_events_record_batch(events=events)
        return services.rollups_apply_all()

    def history() -> tuple[Any, ...]:
        with pytest.raises(Rollback), transaction.atomic():
            simulation_run(
                centres=250, days=8, seed=5, start=dt.date(2025, 3, 20), progress_out=None
            )
            assert not RollupEvent.objects.exists()
            report = transparency_check(apply_waiting=False)
            assert report.ok, report.differences
            code_of = dict(Centre.objects.values_list("pk", "code"))
            number_of = dict(Application.objects.values_list("pk", "number"))
            cells, milestones = snapshot()
            named = [
                (*m[:4], number_of[m[4]], m[5], code_of[m[6]], *m[7:])
                for m in milestones  # ids of this run, by name
            ]
            taken = (cells, named, report.cells_compared)
            raise Rollback
        return taken

    monkeypatch.setattr(services, "rollups_fold_batch", counted_fold)
    direct = history()
    assert sum(calls) > 1_000
    monkeypatch.setattr(services, "rollups_fold_batch", through_outbox)
    outbox = history()
    assert direct == outbox
    assert [m[1] for m in direct[1] if m[0] == "paise"] == [CRORE_PAISE]
