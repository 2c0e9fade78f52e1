"""Adapter-confirmed services: instant biller, later treasury, failure, timeout, crash."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sahayata.applications.dispatch import (
    application_dispatch,
    integrations_poll,
    integrations_reconcile,
)
from sahayata.applications.models import Application, HoldState
from sahayata.integrations.adapters import adapter_get
from sahayata.integrations.models import AdapterCall, SimulatedRemoteRecord
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import counter, submitted, treasury_service
from tests.factories.catalogue import bill_service

pytestmark = pytest.mark.django_db

BILL = {"consumer_id": "112233445", "bill_amount_paise": 165_000}


def _adapters(settings: Any, code: str, **config: Any) -> None:
    settings.SAHAYATA_ADAPTERS = {code: {"latency_ms": 0, **config}}


def test_bill_payment_is_confirmed_after_commit_and_posted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    at = counter(amount_paise=200_000)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(at=at, service=bill_service(), fields=BILL)
    application.refresh_from_db()
    assert (application.status, application.hold) == ("delivered", HoldState.POSTED)
    call = AdapterCall.objects.get(reference=application.number)
    assert call.state == AdapterCall.State.CONFIRMED and call.attempts == 1
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.held_paise) == (200_000 - 165_000, 0)


def test_adapter_failure_voids(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    _adapters(settings, "electricity_biller", failure_rate=1.0)
    at = counter(amount_paise=200_000)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(at=at, service=bill_service(), fields=BILL)
    application.refresh_from_db()
    assert (application.status, application.hold) == ("failed", HoldState.VOIDED)
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.available_paise) == (200_000, 200_000)


def test_adapter_timeout_cancels_and_voids(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _adapters(settings, "electricity_biller", timeout_rate=1.0)
    at = counter(amount_paise=200_000)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(at=at, service=bill_service(), fields=BILL)
    application.refresh_from_db()
    assert (application.status, application.hold) == ("failed", HoldState.VOIDED)
    # The back end was told to cancel: a late retry of the submit cannot charge anyone.
    remote = SimulatedRemoteRecord.objects.get(reference=application.number)
    assert remote.status == SimulatedRemoteRecord.Status.CANCELLED
    _adapters(settings, "electricity_biller")
    assert application_dispatch(application_no=application.number) == "settled"
    assert wallet_balance(account=at.wallet).available_paise == 200_000


def test_crash_between_adapter_yes_and_post_is_reconciled() -> None:
    at = counter(amount_paise=200_000)
    # No on-commit execution: as if the process died right after commit...
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


def test_treasury_challan_is_confirmed_later_by_polling(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _adapters(settings, "treasury_challan", confirm_delay_seconds=120)
    at = counter(amount_paise=300_000)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(at=at, service=treasury_service())
    application.refresh_from_db()
    assert (application.status, application.hold) == ("awaiting_treasury", HoldState.HELD)
    assert AdapterCall.objects.get().state == AdapterCall.State.ACCEPTED
    assert integrations_poll()["waiting"] == 1
    SimulatedRemoteRecord.objects.update(confirm_after=timezone.now() - dt.timedelta(seconds=1))
    assert integrations_poll()["confirmed"] == 1
    application.refresh_from_db()
    assert (application.status, application.hold) == ("delivered", HoldState.POSTED)


def test_treasury_challan_not_confirmed_in_time_is_cancelled_and_voided(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _adapters(settings, "treasury_challan", confirm_delay_seconds=10**6)
    at = counter(amount_paise=300_000)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(at=at, service=treasury_service())
    later = timezone.now() + dt.timedelta(days=4)
    assert integrations_poll(now=later)["failed"] == 1
    application.refresh_from_db()
    assert (application.status, application.hold) == ("failed", HoldState.VOIDED)
    assert wallet_balance(account=at.wallet).available_paise == 300_000
