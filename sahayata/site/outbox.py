"""How the outbox reaches the worker within a second, and how far behind the worker is.

A request writes its outbox rows (a rollup event, a notification, an adapter call) in its
own transaction and commits once; the work they stand for is the worker's. ``OutboxRelay``
runs inside ``run_jobs`` (the main process, beside the cluster): every
``SAHAYATA_OUTBOX_RELAY_SECONDS`` it looks for fresh rows of each kind and, when some wait
and no task of that kind is queued or running, queues *one* task that drains them all.

Why a relay rather than one task per request: a django-q2 task costs its own commits
(enqueue, claim, result, acknowledgement) and a pickled payload, so one per submission
would triple the database's commits at peak, while one drain task per kind folds every
waiting rollup event in one transaction and lets the dispatcher call back ends in
parallel. Lag is bounded by the relay's period, the broker's poll and one drain pass.
``queue_lag_check`` is the ``/readyz`` check (``SAHAYATA_READY_CHECKS``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Task
from django_q.tasks import async_task

from sahayata.site.jobs import JOBS, Job

logger = logging.getLogger(__name__)


def _fresh_rollup_events() -> Any:
    from sahayata.transparency.models import RollupEvent

    return RollupEvent.objects.filter(simulated=False)


def _fresh_notifications() -> Any:
    from sahayata.notifications.models import Notification

    return Notification.objects.filter(status=Notification.Status.PENDING, attempts=0)


def _fresh_adapter_calls() -> Any:
    from sahayata.integrations.selectors import adapter_calls_fresh

    return adapter_calls_fresh()


@dataclass(frozen=True)
class OutboxKind:
    job: str  # the job in sahayata.site.jobs.JOBS that drains it
    waiting: Callable[[], Any]  # a queryset of the rows waiting for that job
    since: str  # the field that says since when a row waits


OUTBOX: tuple[OutboxKind, ...] = (
    OutboxKind("adapter_calls_dispatch", _fresh_adapter_calls, "created_at"),
    OutboxKind("notifications_send", _fresh_notifications, "created_at"),
    OutboxKind("rollups_apply", _fresh_rollup_events, "occurred_at"),
)


@dataclass
class OutboxRelay:
    """Queues one drain task per kind of waiting outbox row, never two at once."""

    in_flight: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)

    def tick(self) -> list[str]:
        """One look at the outbox; returns the names of the jobs it queued."""
        self._forget_finished()
        jobs = {job.name: job for job in JOBS}
        queued = []
        for kind in OUTBOX:
            if kind.job in self.in_flight or not kind.waiting().exists():
                continue
            job: Job = jobs[kind.job]
            task_id = async_task(job.func, task_name=job.name, group=job.schedule_name)
            self.in_flight[kind.job] = (str(task_id), timezone.now())
            queued.append(kind.job)
        return queued

    def _forget_finished(self) -> None:
        if not self.in_flight:
            return
        ids = [task_id for task_id, _at in self.in_flight.values()]
        finished = set(Task.objects.filter(id__in=ids).values_list("id", flat=True))
        # A task whose worker died comes back after its lock; by then, queue another.
        stale = timezone.now() - dt.timedelta(seconds=Conf.TIMEOUT + Conf.RETRY)
        for name, (task_id, at) in list(self.in_flight.items()):
            if task_id in finished or at < stale:
                del self.in_flight[name]


def queue_lag_seconds(*, now: dt.datetime | None = None) -> float:
    """How long the oldest due task, or the oldest fresh outbox row, has waited."""
    now = now or timezone.now()
    oldest = [
        OrmQ.objects.filter(key=Conf.CLUSTER_NAME, lock__lte=now).aggregate(at=Min("lock"))["at"]
    ]
    for kind in OUTBOX:
        oldest.append(kind.waiting().aggregate(at=Min(kind.since))["at"])
    waiting = [at for at in oldest if at is not None]
    return max(0.0, (now - min(waiting)).total_seconds()) if waiting else 0.0


def queue_lag_check() -> tuple[bool, dict[str, Any]]:
    """``/readyz``: ready while the worker keeps up (lag under the limit)."""
    limit = settings.SAHAYATA_QUEUE_LAG_LIMIT_SECONDS
    lag = queue_lag_seconds()
    return lag <= limit, {"lag_seconds": round(lag, 1), "limit_seconds": limit}


def outbox_drain(*, rounds: int = 20) -> int:
    """Run, in this process, what the relay would queue, until nothing waits (for tests
    and scripts; a row whose job keeps failing stops it after ``rounds``); returns how
    many tasks ran."""
    from sahayata.site.queue import queue_drain

    relay, ran = OutboxRelay(), 0
    for _round in range(rounds):
        if not relay.tick():
            break
        ran += queue_drain()
        relay.in_flight.clear()
    return ran
