"""``manage.py run_jobs``: each periodic job really runs, a failing one does not stop the
others, and SIGTERM stops the loop cleanly."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from sahayata.applications.models import HoldState
from sahayata.core.ids import uuid7
from sahayata.integrations.models import SimulatedRemoteRecord
from sahayata.notifications.backends import MemorySmsBackend
from sahayata.notifications.models import Notification
from sahayata.site.management.commands import run_jobs
from sahayata.wallet.models import AccountKind, HoldTimeout, TransferCode
from sahayata.wallet.selectors import wallet_balance
from sahayata.wallet.services import TransferSpec, system_account, transfers_create
from tests.factories.applications import counter, submitted, treasury_service
from tests.factories.catalogue import paid_service

pytestmark = pytest.mark.django_db


def _expired_hold(at: Any, amount_paise: int) -> uuid.UUID:
    treasury = system_account(kind=AccountKind.TREASURY)
    held = transfers_create(
        specs=[
            TransferSpec(
                id=uuid7(),
                debit_account_id=at.wallet.pk,
                credit_account_id=treasury.pk,
                amount_paise=amount_paise,
                code=TransferCode.SERVICE_FEE,
                reference="run-jobs-test",
                pending=True,
                timeout_seconds=60,
            )
        ]
    )[0]
    return held.id


def _a_minute_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The holds' 60-second timeouts have passed (the ledger's own times stay untouched)."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(seconds=61))


def test_once_expires_a_hold_confirms_a_challan_and_sends_notifications(
    settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SAHAYATA_ADAPTERS = {
        "treasury_challan": {"latency_ms": 0, "failure_rate": 0.0, "confirm_delay_seconds": 120}
    }
    at = counter(amount_paise=1_000_000)
    with django_capture_on_commit_callbacks(execute=True):
        challan = submitted(at=at, service=treasury_service())
    challan.refresh_from_db()
    assert (challan.status, challan.hold) == ("awaiting_treasury", HoldState.HELD)
    SimulatedRemoteRecord.objects.update(confirm_after=timezone.now() - dt.timedelta(seconds=1))

    hold_id = _expired_hold(at, 7_000)
    submitted(at=at, service=paid_service())  # on-commit never ran: its SMS is left over
    assert Notification.objects.filter(status="pending").exists()
    MemorySmsBackend.outbox = []
    available_before = wallet_balance(account=at.wallet).available_paise

    out = io.StringIO()
    _a_minute_later(monkeypatch)
    call_command("run_jobs", "--once", stdout=out, stderr=out)

    assert "error" not in out.getvalue(), out.getvalue()
    assert not HoldTimeout.objects.filter(hold_id=hold_id).exists()
    challan.refresh_from_db()
    assert (challan.status, challan.hold) == ("delivered", HoldState.POSTED)
    assert not Notification.objects.filter(status="pending").exists()
    assert MemorySmsBackend.outbox, "the leftover SMS was sent"
    # The expired hold's 7,000 came back; the challan's fee was already held, now posted.
    assert wallet_balance(account=at.wallet).available_paise == available_before + 7_000
    text = out.getvalue()
    assert "wallet_sweep: voided=1" in text and "confirmed=1" in text
    assert "run_jobs: stopped" in text


def test_a_failing_job_is_logged_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    at = counter()
    hold_id = _expired_hold(at, 1_000)

    def broken() -> str:
        raise RuntimeError("back end on fire")

    jobs = (run_jobs.Job("broken", broken), *run_jobs.JOBS)
    monkeypatch.setattr(run_jobs, "JOBS", jobs)
    err = io.StringIO()
    _a_minute_later(monkeypatch)
    with caplog.at_level("ERROR", logger="sahayata.jobs"):
        call_command("run_jobs", "--once", stdout=io.StringIO(), stderr=err)
    assert "broken: error: RuntimeError: back end on fire" in err.getvalue()
    assert any("job broken failed" in r.getMessage() for r in caplog.records)
    assert not HoldTimeout.objects.filter(hold_id=hold_id).exists()  # the sweep still ran


def test_sigterm_stops_the_loop_after_the_running_job(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def terminate() -> str:
        ran.append("terminate")
        os.kill(os.getpid(), signal.SIGTERM)
        return "sent SIGTERM"

    def after() -> str:
        ran.append("after")
        return "ran"

    monkeypatch.setattr(
        run_jobs, "JOBS", (run_jobs.Job("terminate", terminate), run_jobs.Job("after", after))
    )
    before = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    # Without the handler, SIGTERM would kill pytest; with a one-hour interval, a loop that
    # ignored the stop would hang here instead of returning.
    call_command("run_jobs", "--interval", "3600", stdout=out)
    assert ran == ["terminate"]
    assert "run_jobs: stopped" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) is before  # handlers restored
