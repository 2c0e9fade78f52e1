"""The job queue (django-q2, ORM broker): the schedule of every periodic job, jobs run
through the real broker, worker and monitor, retries with backoff, failures in the admin."""

from __future__ import annotations

import datetime as dt
import io
import pydoc
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Failure, OrmQ, Schedule, Success, Task
from django_q.scheduler import scheduler
from django_q.tasks import async_task

from sahayata.applications.models import HoldState
from sahayata.core.ids import uuid7
from sahayata.integrations.models import SimulatedRemoteRecord
from sahayata.notifications.backends import MemorySmsBackend
from sahayata.notifications.models import Notification
from sahayata.site import jobs
from sahayata.site.outbox import outbox_drain
from sahayata.site.queue import queue_drain, retry_delay_seconds
from sahayata.wallet.models import AccountKind, HoldTimeout, TransferCode
from sahayata.wallet.selectors import wallet_balance
from sahayata.wallet.services import TransferSpec, system_account, transfers_create
from tests.factories.applications import counter, submitted, treasury_service
from tests.site import probes

EXPECTED_JOBS = {
    "wallet_sweep",
    "adapter_calls_dispatch",
    "integrations_poll",
    "integrations_reconcile",
    "rtps_escalate",
    "notifications_send",
    "rollups_apply",
    "documents_sweep",
    "log_publish",
    "audit_seal",
}


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


@pytest.mark.django_db
def test_migrate_registers_a_schedule_for_every_periodic_job() -> None:
    schedules = {s.name: s for s in Schedule.objects.filter(name__startswith="sahayata:")}
    assert set(schedules) == {f"sahayata:{name}" for name in EXPECTED_JOBS}
    for job in jobs.JOBS:
        schedule = schedules[job.schedule_name]
        assert pydoc.locate(schedule.func) is job.run  # the worker can import it
        assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, job.every_minutes)
        assert schedule.repeats == -1  # for ever
    # Idempotent, and it follows a change of the list: stale ones go, changed ones update.
    Schedule.objects.filter(name="sahayata:rtps_escalate").update(minutes=99)
    Schedule.objects.create(name="sahayata:retired", func="os.getcwd", schedule_type="I")
    Schedule.objects.create(name="someone else's", func="os.getcwd", schedule_type="I")
    assert jobs.schedules_register() == len(EXPECTED_JOBS)
    assert Schedule.objects.get(name="sahayata:rtps_escalate").minutes == 5
    assert not Schedule.objects.filter(name="sahayata:retired").exists()
    assert Schedule.objects.filter(name="someone else's").exists()
    assert Schedule.objects.filter(name__startswith="sahayata:").count() == len(EXPECTED_JOBS)


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_job_runs_through_the_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    at = counter()
    hold_id = _expired_hold(at, 5_000)
    Schedule.objects.exclude(name="sahayata:wallet_sweep").update(
        next_run=timezone.now() + dt.timedelta(hours=1)
    )
    _a_minute_later(monkeypatch)
    scheduler()  # what the worker's guard does every 30 seconds
    assert OrmQ.objects.count() == 1
    assert queue_drain() == 1
    assert OrmQ.objects.count() == 0  # acknowledged
    done = Success.objects.get()
    assert (done.func, done.group, done.result) == (
        "sahayata.site.jobs.wallet_sweep",
        "sahayata:wallet_sweep",
        "voided=1",
    )
    assert not HoldTimeout.objects.filter(hold_id=hold_id).exists()
    sweep = Schedule.objects.get(name="sahayata:wallet_sweep")
    assert sweep.next_run > timezone.now() and sweep.task == done.id


@pytest.mark.django_db(transaction=True)
def test_once_runs_every_job_through_the_queue(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SAHAYATA_ADAPTERS = {
        "treasury_challan": {"latency_ms": 0, "failure_rate": 0.0, "confirm_delay_seconds": 120}
    }
    at = counter(amount_paise=1_000_000)
    challan = submitted(at=at, service=treasury_service())
    outbox_drain()  # the worker submits the challan; the treasury confirms it later
    challan.refresh_from_db()
    assert (challan.status, challan.hold) == ("awaiting_treasury", HoldState.HELD)
    SimulatedRemoteRecord.objects.update(confirm_after=timezone.now() - dt.timedelta(seconds=1))
    hold_id = _expired_hold(at, 7_000)
    Notification.objects.create(
        channel=Notification.Channel.SMS,
        recipient="9800000000",
        kind="test",
        reference="left-over",
        body="An SMS whose on-commit send never ran",
    )
    MemorySmsBackend.outbox = []
    available_before = wallet_balance(account=at.wallet).available_paise

    out = io.StringIO()
    _a_minute_later(monkeypatch)
    call_command("run_jobs", "--once", stdout=out)

    text = out.getvalue()
    assert "error" not in text, text
    assert {t.name for t in Success.objects.all()} == EXPECTED_JOBS
    assert not OrmQ.objects.exists()
    assert not HoldTimeout.objects.filter(hold_id=hold_id).exists()
    challan.refresh_from_db()
    assert (challan.status, challan.hold) == ("delivered", HoldState.POSTED)
    assert not Notification.objects.filter(status="pending").exists()
    assert MemorySmsBackend.outbox, "the leftover SMS was sent"
    # The expired hold's 7,000 came back; the challan's fee was already held, now posted.
    assert wallet_balance(account=at.wallet).available_paise == available_before + 7_000
    assert "wallet_sweep: voided=1" in text and "confirmed=1" in text


@pytest.mark.django_db(transaction=True)
def test_once_reports_a_failing_job_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = counter()
    hold_id = _expired_hold(at, 1_000)
    broken = jobs.Job("broken", probes.always_fails, 1)
    monkeypatch.setattr(jobs, "JOBS", (broken, *jobs.JOBS))
    out = io.StringIO()
    _a_minute_later(monkeypatch)
    with pytest.raises(CommandError, match="failed: broken"):
        call_command("run_jobs", "--once", stdout=out)
    assert "broken: error: back end on fire" in out.getvalue()
    assert not HoldTimeout.objects.filter(hold_id=hold_id).exists()  # the sweep still ran
    assert Failure.objects.get().func == "tests.site.probes.always_fails"


def _due_now() -> None:
    """The retry's lock has run out (what waiting for it would do)."""
    OrmQ.objects.update(lock=timezone.now() - dt.timedelta(seconds=1))


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_retried_with_backoff_then_kept_in_the_admin(
    admin_client: Client,
) -> None:
    probes.CALLS.clear()
    task_id = async_task("tests.site.probes.always_fails", task_name="doomed")
    locks: list[float] = []
    for attempt in range(1, Conf.MAX_ATTEMPTS + 1):
        claimed_at = timezone.now()
        assert queue_drain() == 1
        assert Task.objects.get(id=task_id).attempt_count == attempt
        assert queue_drain() == 0  # locked: not before its delay
        if attempt < Conf.MAX_ATTEMPTS:
            locks.append((OrmQ.objects.get().lock - claimed_at).total_seconds())
            _due_now()
    assert probes.CALLS == ["always_fails"] * Conf.MAX_ATTEMPTS
    assert not OrmQ.objects.exists()  # given up after max_attempts
    # Each claim locks for longer: retry, 2 x retry, 4 x retry …
    expected = [retry_delay_seconds(failures) for failures in range(Conf.MAX_ATTEMPTS - 1)]
    assert expected == sorted(expected) and expected[1] == 2 * expected[0]
    assert [round(lock) for lock in locks] == expected

    failed = Failure.objects.get(id=task_id)
    assert "back end on fire" in failed.result
    page = admin_client.get("/admin/django_q/failure/").content.decode()
    assert "doomed" in page
    detail = admin_client.get(f"/admin/django_q/failure/{task_id}/change/").content.decode()
    assert "back end on fire" in detail


@pytest.mark.django_db(transaction=True)
def test_a_task_that_fails_once_succeeds_on_its_retry() -> None:
    probes.CALLS.clear()
    task_id = async_task("tests.site.probes.fails_once")
    assert queue_drain() == 1
    assert Failure.objects.filter(id=task_id).exists()
    _due_now()
    assert queue_drain() == 1
    done = Success.objects.get(id=task_id)
    assert (done.result, done.attempt_count) == ("second try works", 2)
    assert not Failure.objects.exists() and not OrmQ.objects.exists()


@pytest.mark.django_db
def test_drain_refuses_to_run_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="own transaction"):
        queue_drain()
