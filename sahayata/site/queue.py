"""The job queue: django-q2's ORM broker with exponential backoff, and an in-process drain.

django-q2 re-delivers a task that was not acknowledged (it failed, or its worker died)
once its lock runs out, ``Q_CLUSTER["retry"]`` seconds after it was claimed. Here the lock
doubles with every failed attempt (retry, 2 x retry, 4 x retry …, at most an hour), until
``max_attempts``; the failure then stays in the admin's "Failed tasks".
A claim is a compare-and-set on the lock, so two workers never take the same task.
"""

from __future__ import annotations

import datetime as dt
import queue
from multiprocessing import Value
from typing import Any

from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ, Task
from django_q.monitor import monitor
from django_q.signing import SignedPackage
from django_q.worker import worker

MAX_BACKOFF_SECONDS = 3600


def retry_delay_seconds(failures: int) -> int:
    """How long a claimed task stays locked, after ``failures`` failed attempts."""
    return int(min(Conf.RETRY * 2 ** min(failures, 20), max(Conf.RETRY, MAX_BACKOFF_SECONDS)))


class BackoffORM(ORM):
    """The ORM broker, whose re-delivery delay grows with the task's failed attempts."""

    def timeout(self, task: OrmQ) -> dt.datetime:
        failures = (
            Task.objects.filter(id=task.task_id(), success=False)
            .values_list("attempt_count", flat=True)
            .first()
        )
        return timezone.now() + dt.timedelta(seconds=retry_delay_seconds(failures or 0))


def queue_drain(*, limit: int = 10_000) -> int:
    """Run the tasks that are due, in this process, through the real broker, worker and
    monitor (claim, run, store the result, acknowledge or leave for a retry), until none
    is due. For ``run_jobs --once`` (cron) and the tests; returns how many ran."""
    if connection.in_atomic_block:
        # The worker closes stale connections between tasks, which would end the caller's
        # transaction; each task commits on its own.
        raise RuntimeError("queue_drain runs each task in its own transaction, not inside one")
    broker = get_broker()
    ran = 0
    while ran < limit and broker.queue_size() > 0:
        claimed = broker.dequeue() or []
        if not claimed:
            break
        tasks: queue.Queue[Any] = queue.Queue()
        results: queue.Queue[Any] = queue.Queue()
        for ack_id, payload in claimed:
            task = SignedPackage.loads(payload)
            task["cluster"] = Conf.CLUSTER_NAME
            task["ack_id"] = ack_id
            tasks.put(task)
        tasks.put("STOP")
        worker(tasks, results, Value("f", -1))
        results.put("STOP")
        monitor(results, broker)
        ran += len(claimed)
    return ran
