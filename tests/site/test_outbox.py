"""The outbox relay (run_jobs queues one drain task per kind of waiting row) and the
job queue's lag in /readyz."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ, Success
from django_q.tasks import async_task

from sahayata.applications.models import Application, HoldState
from sahayata.integrations.models import AdapterCall
from sahayata.notifications.models import Notification
from sahayata.site.outbox import OutboxRelay, outbox_drain, queue_lag_check, queue_lag_seconds
from sahayata.site.queue import queue_drain
from sahayata.transparency.models import RollupEvent
from sahayata.transparency.selectors import summary
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import bill_service, paid_service

pytestmark = pytest.mark.django_db(transaction=True)

BILL = {"consumer_id": "112233445", "bill_amount_paise": 165_000}


def _latency_free(settings: Any) -> None:
    settings.SAHAYATA_ADAPTERS = {"electricity_biller": {"latency_ms": 0, "failure_rate": 0.0}}


def test_a_submission_leaves_its_work_to_the_worker_and_the_relay_queues_it_once(
    settings: Any,
) -> None:
    _latency_free(settings)
    at = counter(amount_paise=500_000)
    first = submitted(at=at, service=bill_service(), fields=BILL)
    submitted(at=at, service=paid_service(amount_paise=4_000))
    assert RollupEvent.objects.count() == 2
    assert Notification.objects.filter(status="pending").count() == 2
    relay = OutboxRelay()
    assert sorted(relay.tick()) == ["adapter_calls_dispatch", "notifications_send", "rollups_apply"]
    # Queued and not yet run: a second look queues nothing more, however much waits.
    submitted(at=at, service=paid_service(amount_paise=4_000))
    assert relay.tick() == []
    assert OrmQ.objects.count() == 3
    queue_drain()
    # Each task drained everything waiting when it ran, including the third submission.
    assert not RollupEvent.objects.exists()
    assert not Notification.objects.filter(status="pending").exists()
    assert summary().applications == 3
    first.refresh_from_db()
    assert (first.status, first.hold) == ("delivered", HoldState.POSTED)
    assert AdapterCall.objects.get(reference=first.number).state == AdapterCall.State.CONFIRMED
    assert relay.tick() == []  # the tasks finished and nothing waits
    assert relay.in_flight == {}
    assert Success.objects.count() == 3


def test_the_relay_queues_again_once_the_last_task_finished(settings: Any) -> None:
    at = counter(amount_paise=500_000)
    submitted(at=at, service=paid_service(amount_paise=4_000))
    relay = OutboxRelay()
    assert "rollups_apply" in relay.tick()
    queue_drain()
    submitted(at=at, service=paid_service(amount_paise=4_000))
    assert "rollups_apply" in relay.tick()
    queue_drain()
    assert summary().applications == 2


def test_queue_lag_is_the_oldest_waiting_row_or_due_task(settings: Any) -> None:
    assert queue_lag_seconds() == 0.0
    at = counter(amount_paise=500_000)
    application = submitted(at=at, service=paid_service(amount_paise=4_000))
    later = timezone.now() + dt.timedelta(seconds=90)
    assert 89 <= queue_lag_seconds(now=later) <= 91
    outbox_drain()
    assert queue_lag_seconds(now=later) == 0.0
    async_task("tests.site.probes.fails_once")
    assert 89 <= queue_lag_seconds(now=later) <= 91
    OrmQ.objects.all().delete()
    assert Application.objects.filter(pk=application.pk).exists()


def test_readyz_says_not_ready_while_the_worker_is_behind(settings: Any) -> None:
    settings.SAHAYATA_QUEUE_LAG_LIMIT_SECONDS = 60
    client = Client()
    assert client.get("/readyz").status_code == 200
    submitted(at=counter(amount_paise=500_000), service=paid_service(amount_paise=4_000))
    RollupEvent.objects.update(occurred_at=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue_lag_check"]["lag_seconds"] >= 299
    ok, detail = queue_lag_check()
    assert not ok and detail["limit_seconds"] == 60
    outbox_drain()
    assert client.get("/readyz").status_code == 200
