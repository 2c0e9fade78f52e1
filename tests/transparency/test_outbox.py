"""The rollup outbox and its exactly-once consumer, with milestones."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, transaction

from sahayata.core.clock import IST
from sahayata.core.errors import InvalidInput
from sahayata.core.money import CRORE_PAISE
from sahayata.transparency.models import ALL, Milestone, Rollup, RollupEvent
from sahayata.transparency.services import (
    LAKH,
    rollup_event_record,
    rollups_apply,
    rollups_apply_all,
)

T0 = dt.datetime(2025, 3, 31, 23, 30, tzinfo=IST)


def cell(**dims: Any) -> Rollup:
    defaults = {"district_id": ALL, "department_id": ALL, "service_id": ALL}
    return Rollup.objects.get(**(defaults | dims))


def total() -> Rollup:
    return cell(grain="all")


def test_events_fold_into_every_grain_once(world: dict[str, Any]) -> None:
    centre, service = world["centres"][0], world["paid_service"]
    rollup_event_record(
        kind="application_submitted", occurred_at=T0, centre_id=centre.pk, service_id=service.pk
    )
    rollup_event_record(
        kind="service_delivered",
        occurred_at=T0,
        centre_id=centre.pk,
        service_id=service.pk,
        on_time=True,
    )
    rollup_event_record(
        kind="payment_posted",
        occurred_at=T0,
        centre_id=centre.pk,
        service_id=service.pk,
        amount_paise=165_000,
        application_id=7,
        transfer_id="t-1",
    )
    assert rollups_apply() == 3
    assert rollups_apply() == 0
    assert not RollupEvent.objects.exists()
    day = cell(
        grain="day",
        period=dt.date(2025, 3, 31),
        district_id=centre.district_id,
        department_id=service.department_id,
        service_id=service.pk,
    )
    assert (day.applications, day.services_delivered, day.wallet_transactions, day.paise) == (
        1,
        1,
        1,
        165_000,
    )
    assert (day.delivered_timed, day.delivered_on_time) == (1, 1)
    month = cell(grain="month", period=dt.date(2025, 3, 1), department_id=service.department_id)
    assert month.paise == 165_000
    assert total().paise == 165_000


def test_day_is_the_kolkata_day(world: dict[str, Any]) -> None:
    # 19:00 UTC on 31 March is 00:30 on 1 April in Kolkata: the next financial year.
    moment = dt.datetime(2025, 3, 31, 19, 0, tzinfo=dt.UTC)
    rollup_event_record(
        kind="application_submitted",
        occurred_at=moment,
        centre_id=world["centres"][0].pk,
        service_id=world["free_service"].pk,
    )
    rollups_apply()
    assert cell(grain="day", period=dt.date(2025, 4, 1)).applications == 1
    assert not Rollup.objects.filter(grain="day", period=dt.date(2025, 3, 31)).exists()


def test_weight_counts_sampled_free_services(world: dict[str, Any]) -> None:
    for kind in ("application_submitted", "service_delivered"):
        rollup_event_record(
            kind=kind,
            occurred_at=T0,
            centre_id=world["centres"][1].pk,
            service_id=world["free_service"].pk,
            weight=10,
            simulated=True,
        )
    rollups_apply()
    assert (total().applications, total().services_delivered, total().simulated_events) == (
        10,
        10,
        20,
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "refund"}, "kind"),
        ({"weight": 0}, "weight"),
        ({"amount_paise": -1}, "amount_paise"),
        ({"kind": "payment_posted", "amount_paise": 0}, "amount_paise"),
        ({"occurred_at": dt.datetime(2025, 1, 1, 10, 0)}, "occurred_at"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_written(
    world: dict[str, Any], kwargs: dict[str, Any], field: str
) -> None:
    base = {
        "kind": "application_submitted",
        "occurred_at": T0,
        "centre_id": world["centres"][0].pk,
        "service_id": world["free_service"].pk,
    }
    with pytest.raises(InvalidInput) as caught:
        rollup_event_record(**(base | kwargs))
    assert field in caught.value.details
    assert not RollupEvent.objects.exists()


def test_event_exists_only_if_its_cause_committed(world: dict[str, Any]) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        rollup_event_record(
            kind="application_submitted",
            occurred_at=T0,
            centre_id=world["centres"][0].pk,
            service_id=world["free_service"].pk,
        )
        raise Boom
    assert not RollupEvent.objects.exists()


def test_consumer_runs_after_commit_when_the_setting_asks(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SAHAYATA_ROLLUPS_ON_COMMIT = True  # a development convenience; the worker's job
    with django_capture_on_commit_callbacks(execute=True):
        rollup_event_record(
            kind="application_submitted",
            occurred_at=T0,
            centre_id=world["centres"][0].pk,
            service_id=world["free_service"].pk,
        )
    assert not RollupEvent.objects.exists()
    assert total().applications == 1


def pay(world: dict[str, Any], amount: int, minute: int, application_id: int) -> None:
    rollup_event_record(
        kind="payment_posted",
        occurred_at=T0 + dt.timedelta(minutes=minute),
        centre_id=world["centres"][minute % len(world["centres"])].pk,
        service_id=world["paid_service"].pk,
        amount_paise=amount,
        application_id=application_id,
        transfer_id=f"t-{application_id}",
    )


def test_milestone_records_the_exact_crossing_once(world: dict[str, Any]) -> None:
    half_crore = CRORE_PAISE // 2
    pay(world, half_crore, 0, 1)
    pay(world, half_crore - 1, 1, 2)
    rollups_apply()
    assert not Milestone.objects.exists()
    pay(world, 1, 2, 3)  # exactly ₹1 crore: this one crosses
    pay(world, 5, 3, 4)
    rollups_apply()
    pay(world, 9 * CRORE_PAISE, 4, 5)  # reaches ₹10 crore exactly
    rollups_apply()
    pay(world, 1, 5, 6)
    rollups_apply()
    milestones = list(Milestone.objects.filter(metric="paise").order_by("threshold"))
    assert [(m.threshold, m.application_id, m.transfer_id) for m in milestones] == [
        (CRORE_PAISE, 3, "t-3"),
        (10 * CRORE_PAISE, 5, "t-5"),
    ]
    assert milestones[0].crossed_at == T0 + dt.timedelta(minutes=2)


def test_one_event_may_cross_several_thresholds(world: dict[str, Any]) -> None:
    pay(world, 150 * CRORE_PAISE, 0, 1)
    rollups_apply()
    assert sorted(Milestone.objects.values_list("threshold", flat=True)) == [
        CRORE_PAISE,
        10 * CRORE_PAISE,
        100 * CRORE_PAISE,
    ]


def test_services_delivered_milestone_counts_weight(world: dict[str, Any]) -> None:
    for i in range(3):
        rollup_event_record(
            kind="service_delivered",
            occurred_at=T0 + dt.timedelta(seconds=i),
            centre_id=world["centres"][0].pk,
            service_id=world["free_service"].pk,
            weight=LAKH // 2,
            application_id=100 + i,
        )
    rollups_apply()
    milestone = Milestone.objects.get(metric="services_delivered")
    assert (milestone.threshold, milestone.application_id) == (LAKH, 101)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_consumers_fold_each_event_exactly_once(
    world: dict[str, Any], settings: Any
) -> None:
    settings.SAHAYATA_ROLLUPS_ON_COMMIT = False  # leave the outbox to the threads
    events = 600
    for i in range(events):
        pay(world, CRORE_PAISE // 200, i, i + 1)  # ₹3 crore in all: one milestone
    barrier = threading.Barrier(4)
    folded: list[int] = []
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            barrier.wait()
            count = 0
            while n := rollups_apply(limit=37):
                count += n
            folded.append(count)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(folded) == events
    assert total().wallet_transactions == events
    assert total().paise == events * (CRORE_PAISE // 200)
    crossing = Milestone.objects.get(metric="paise")
    assert crossing.application_id == 200
    assert rollups_apply_all() == 0
