"""The periodic jobs and their schedule on the job queue (django-q2, ORM broker).

Each job calls the same service as its own command (``wallet_sweep``, ``integrations_poll``,
``integrations_reconcile``, ``rtps_escalate``, ``notifications_send``, ``rollups_apply``,
``adapter_calls_dispatch``, ``log_publish``, ``audit_seal``) and returns a one-line summary,
which the queue stores with the task. Every job is idempotent, so a retry, an overlap of two
ticks or two workers never does anything twice.
``schedules_register`` keeps one ``Schedule`` row per job, named ``sahayata:<job>``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django_q.models import Schedule
from django_q.tasks import async_task

SCHEDULE_PREFIX = "sahayata:"


def wallet_sweep() -> str:
    """Void the holds past their timeout (an automatic refund), in batches of 1,000."""
    from sahayata.wallet.services import holds_expire

    total = 0
    while True:
        voided = holds_expire(limit=1000)
        total += voided
        if voided < 1000:
            return f"voided={total}"


def integrations_poll() -> str:
    """Ask back ends about accepted calls: post when confirmed, void when failed or late."""
    from sahayata.applications.dispatch import integrations_poll as poll

    return " ".join(f"{key}={value}" for key, value in poll().items())


def adapter_calls_dispatch() -> str:
    """Make the back-end calls that submissions recorded, and settle their money."""
    from django.conf import settings

    from sahayata.applications.dispatch import applications_dispatch_pending

    counts = applications_dispatch_pending(threads=settings.SAHAYATA_DISPATCH_THREADS)
    return " ".join(f"{key}={value}" for key, value in sorted(counts.items())) or "none"


def integrations_reconcile() -> str:
    """Settle adapter calls left open by a crash or an outage for over a minute."""
    from sahayata.applications.dispatch import integrations_reconcile as reconcile

    counts = reconcile(older_than_seconds=60)
    return " ".join(f"{key}={value}" for key, value in counts.items())


def rtps_escalate() -> str:
    """Flag the applications past their RTPS time limit."""
    from sahayata.applications.services import applications_escalate_overdue

    return f"flagged={applications_escalate_overdue(today=None)}"


def notifications_send(*, budget_seconds: float = 5.0) -> str:
    """Send what the notification outbox holds; then, for up to ``budget_seconds``, the
    fresh rows (never tried) that arrive meanwhile: under load they go out in the same
    task rather than after a round trip through the relay and the broker. A row that
    failed waits for the next task, as before (its retries stay a minute apart)."""
    from sahayata.notifications.models import Notification
    from sahayata.notifications.services import notifications_send as send

    deadline = time.monotonic() + budget_seconds
    total = sent = send(limit=1000)
    while sent and time.monotonic() < deadline:
        fresh = Notification.objects.filter(status=Notification.Status.PENDING, attempts=0)
        sent = send(ids=list(fresh.order_by("created_at").values_list("pk", flat=True)[:1000]))
        total += sent
    return f"sent={total}"


def rollups_apply() -> str:
    """Fold the transparency rollup events waiting in the outbox."""
    from sahayata.transparency.services import rollups_apply_all

    return f"folded={rollups_apply_all(limit=10_000)}"


def documents_sweep() -> str:
    """Delete uploads staged by submissions that rolled back."""
    from sahayata.applications.documents import documents_sweep as sweep

    counts = sweep(older_than_seconds=3600)
    return " ".join(f"{key}={value}" for key, value in counts.items())


def log_publish() -> str:
    """Append new posted transfers to the transparency log; sign a head once a Kolkata day."""
    from sahayata.ledgerlog.services import log_publish_due

    head, new = log_publish_due()
    return f"leaves={head.tree_size if head is not None else 0} new_head={int(new)}"


def audit_seal() -> str:
    """Hash-chain the audit events written since the last run."""
    from sahayata.audit.services import audit_seal as seal

    return f"sealed={seal()}"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], str]
    every_minutes: int

    @property
    def func(self) -> str:
        return f"{self.run.__module__}.{self.run.__qualname__}"

    @property
    def schedule_name(self) -> str:
        return SCHEDULE_PREFIX + self.name


# In this order for ``run_jobs --once``: expiries and back-end answers first, so that the
# notifications and rollup events they write go out in the same pass.
# The outbox jobs (dispatch, notifications, rollups) also run within a second of the
# commit that wrote their rows: run_jobs' relay queues them (sahayata/site/outbox.py);
# their minute's schedule is the backstop.
JOBS: tuple[Job, ...] = (
    Job("wallet_sweep", wallet_sweep, 1),
    Job("adapter_calls_dispatch", adapter_calls_dispatch, 1),
    Job("integrations_poll", integrations_poll, 1),
    Job("integrations_reconcile", integrations_reconcile, 1),
    Job("rtps_escalate", rtps_escalate, 5),
    Job("notifications_send", notifications_send, 1),
    Job("rollups_apply", rollups_apply, 1),
    Job("documents_sweep", documents_sweep, 30),
    Job("log_publish", log_publish, 5),
    Job("audit_seal", audit_seal, 1),
)


def schedules_register(*, jobs: tuple[Job, ...] | None = None) -> int:
    """Create or update one repeating schedule per job; drop our schedules of jobs that are
    gone. Idempotent (run by ``migrate`` and by ``run_jobs``); returns the number of jobs."""
    jobs = JOBS if jobs is None else jobs
    with transaction.atomic():
        names = [job.schedule_name for job in (JOBS if jobs is None else jobs)]
        Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX).exclude(name__in=names).delete()
        existing = {s.name: s for s in Schedule.objects.filter(name__in=names)}
        for job in jobs:
            schedule = existing.get(job.schedule_name)
            if schedule is None:
                Schedule.objects.create(
                    name=job.schedule_name,
                    func=job.func,
                    schedule_type=Schedule.MINUTES,
                    minutes=job.every_minutes,
                    repeats=-1,
                )
            elif (schedule.func, schedule.minutes, schedule.schedule_type) != (
                job.func,
                job.every_minutes,
                Schedule.MINUTES,
            ):
                schedule.func = job.func
                schedule.minutes = job.every_minutes
                schedule.schedule_type = Schedule.MINUTES
                schedule.save(update_fields=["func", "minutes", "schedule_type"])
    return len(jobs)


def jobs_enqueue(*, jobs: tuple[Job, ...] | None = None) -> list[str]:
    """Put one task of each job on the queue now (``run_jobs --once``); returns the task ids."""
    return [
        async_task(job.func, task_name=job.name, group=job.schedule_name)
        for job in (JOBS if jobs is None else jobs)
    ]
