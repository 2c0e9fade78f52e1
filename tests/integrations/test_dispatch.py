"""Adapter-confirmed services: instant biller, later treasury, failure, timeout, crash.

The request only records the call; the worker makes it (``outbox_drain`` runs what
run_jobs' relay queues, through the real broker and worker, in this process).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from sahayata.applications.dispatch import (
    application_dispatch,
    integrations_poll,
    integrations_reconcile,
)
from sahayata.applications.models import Application, HoldState
from sahayata.integrations.adapters import adapter_get
from sahayata.integrations.models import AdapterCall, SimulatedRemoteRecord
from sahayata.site.outbox import outbox_drain
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import counter, submitted, treasury_service
from tests.factories.catalogue import bill_service

pytestmark = pytest.mark.django_db(transaction=True)

BILL = {"consumer_id": "112233445", "bill_amount_paise": 165_000}


def _adapters(settings: Any, code: str, **config: Any) -> None:
    # No latency and no chance failures unless asked: the simulated back ends fail 1% of
    # references by default, which made a test fail on the days its number drew one.
    settings.SAHAYATA_ADAPTERS = {
        code: {"latency_ms": 0, "failure_rate": 0.0, "timeout_rate": 0.0, **config}
    }


def test_bill_payment_is_held_by_the_request_and_confirmed_by_the_worker() -> None:
    at = counter(amount_paise=200_000)
    application = submitted(at=at, service=bill_service(), fields=BILL)
    # The request committed the hold and the call, and made no call to the back end.
    call = AdapterCall.objects.get(reference=application.number)
    assert (call.state, call.attempts) == (AdapterCall.State.PENDING, 0)
    assert Application.objects.get(pk=application.pk).hold == HoldState.HELD
    assert not SimulatedRemoteRecord.objects.exists()
    outbox_drain()
    application.refresh_from_db()
    assert (application.status, application.hold) == ("delivered", HoldState.POSTED)
    call = AdapterCall.objects.get(reference=application.number)
    assert call.state == AdapterCall.State.CONFIRMED and call.attempts == 1
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.held_paise) == (200_000 - 165_000, 0)


def test_adapter_failure_voids(settings: Any) -> None:
    _adapters(settings, "electricity_biller", failure_rate=1.0)
    at = counter(amount_paise=200_000)
    application = submitted(at=at, service=bill_service(), fields=BILL)
    outbox_drain()
    application.refresh_from_db()
    assert (application.status, application.hold) == ("failed", HoldState.VOIDED)
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.available_paise) == (200_000, 200_000)


def test_adapter_timeout_cancels_and_voids(settings: Any) -> None:
    _adapters(settings, "electricity_biller", timeout_rate=1.0)
    at = counter(amount_paise=200_000)
    application = submitted(at=at, service=bill_service(), fields=BILL)
    outbox_drain()
    application.refresh_from_db()
    assert (application.status, application.hold) == ("failed", HoldState.VOIDED)
    # The back end was told to cancel: a late retry of the submit cannot charge anyone.
    remote = SimulatedRemoteRecord.objects.get(reference=application.number)
    assert remote.status == SimulatedRemoteRecord.Status.CANCELLED
    _adapters(settings, "electricity_biller")
    assert application_dispatch(application_no=application.number) == "settled"
    assert wallet_balance(account=at.wallet).available_paise == 200_000


def test_dispatch_on_commit_is_a_setting_for_development(settings: Any) -> None:
    settings.SAHAYATA_DISPATCH_ON_COMMIT = True
    at = counter(amount_paise=200_000)
    application = submitted(at=at, service=bill_service(), fields=BILL)
    application.refresh_from_db()
    assert (application.status, application.hold) == ("delivered", HoldState.POSTED)


def test_the_worker_calls_many_back_ends_at_once_and_settles_each_once(settings: Any) -> None:
    # Threads on PostgreSQL. The in-memory SQLite test database shares one cache whose
    # table locks fail at once instead of waiting (a database file waits, busy_timeout):
    # threads on SQLite are driven by tests/site/test_load.py, against a file.
    settings.SAHAYATA_DISPATCH_THREADS = 4 if connection.vendor == "postgresql" else 1
    at = counter(amount_paise=2_000_000)
    numbers = [submitted(at=at, service=bill_service(), fields=BILL).number for _ in range(6)]
    outbox_drain()
    calls = AdapterCall.objects.filter(reference__in=numbers)
    assert {(c.state, c.attempts) for c in calls} == {(AdapterCall.State.CONFIRMED, 1)}
    assert set(Application.objects.filter(number__in=numbers).values_list("hold", flat=True)) == {
        HoldState.POSTED
    }
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.held_paise) == (2_000_000 - 6 * 165_000, 0)


def test_crash_between_adapter_yes_and_post_is_reconciled() -> None:
    at = counter(amount_paise=200_000)
    # No worker: as if the process died right after commit...
    application = submitted(at=at, service=bill_service(), fields=BILL)
    # ...or right after the biller said yes, before we posted.
    adapter_get("electricity_biller").submit(
        reference=application.number, amount_paise=165_000, payload={}
    )
    assert Application.objects.get(pk=application.pk).hold == HoldState.HELD
    counts = integrations_reconcile(older_than_seconds=0)
    assert counts["confirmed"] == 1
    application.refresh_from_db()
    assert (application.status, application.hold) == ("delivered", HoldState.POSTED)
    # Running it again changes nothing.
    assert integrations_reconcile(older_than_seconds=0) == {
        "confirmed": 0,
        "failed": 0,
        "waiting": 0,
    }
    assert wallet_balance(account=at.wallet).balance_paise == 200_000 - 165_000


def test_crash_before_the_adapter_was_called_is_submitted_by_reconcile() -> None:
    at = counter(amount_paise=200_000)
    application = submitted(at=at, service=bill_service(), fields=BILL)
    assert integrations_reconcile(older_than_seconds=0)["confirmed"] == 1
    application.refresh_from_db()
    assert application.hold == HoldState.POSTED


def test_treasury_challan_is_confirmed_later_by_polling(settings: Any) -> None:
    _adapters(settings, "treasury_challan", confirm_delay_seconds=120)
    at = counter(amount_paise=300_000)
    application = submitted(at=at, service=treasury_service())
    outbox_drain()
    application.refresh_from_db()
    assert (application.status, application.hold) == ("awaiting_treasury", HoldState.HELD)
    assert AdapterCall.objects.get().state == AdapterCall.State.ACCEPTED
    assert integrations_poll()["waiting"] == 1
    SimulatedRemoteRecord.objects.update(confirm_after=timezone.now() - dt.timedelta(seconds=1))
    assert integrations_poll()["confirmed"] == 1
    application.refresh_from_db()
    assert (application.status, application.hold) == ("delivered", HoldState.POSTED)


def test_treasury_challan_not_confirmed_in_time_is_cancelled_and_voided(settings: Any) -> None:
    _adapters(settings, "treasury_challan", confirm_delay_seconds=10**6)
    at = counter(amount_paise=300_000)
    application = submitted(at=at, service=treasury_service())
    outbox_drain()
    later = timezone.now() + dt.timedelta(days=4)
    assert integrations_poll(now=later)["failed"] == 1
    application.refresh_from_db()
    assert (application.status, application.hold) == ("failed", HoldState.VOIDED)
    assert wallet_balance(account=at.wallet).available_paise == 300_000
