"""``manage.py run_jobs [--once]``: the job queue's worker (django-q2), with the schedule.

Without ``--once`` it registers the periodic jobs' schedules (``sahayata.site.jobs``) and
runs the worker cluster until SIGTERM or SIGINT, which let the running tasks finish; beside
it, the outbox relay queues a drain task as soon as outbox rows wait (sahayata/site/outbox.py).
Several of these processes may run at once, on one machine or many: a task is claimed by
one of them only. ``--once`` (for cron) puts one task of each job on the queue and runs
everything due in this process, through the same broker, then exits 1 if a task failed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections
from django_q.cluster import Cluster
from django_q.conf import Conf
from django_q.models import Task

from sahayata.site.jobs import jobs_enqueue, schedules_register
from sahayata.site.outbox import OutboxRelay
from sahayata.site.queue import queue_drain

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the job queue's worker with the periodic jobs (hold expiry, back-end polling "
        "and reconciliation, RTPS escalation, notifications, rollups, document sweep)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Run each periodic job once, here, and exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schedules_register()
        if not options["once"]:
            # The worker processes are forked: none may inherit this process's connection.
            connections.close_all()
            self._serve()
            return
        task_ids = jobs_enqueue()
        queue_drain()
        results = {task.name: task for task in Task.objects.filter(id__in=task_ids)}
        lines, failed = [], []
        for name, task in sorted(results.items()):
            summary = str(task.result) if task.success else f"error: {task.result}"
            lines.append(f"{name}: {summary.splitlines()[0] if summary else ''}")
            if not task.success:
                failed.append(name)
        self.stdout.write("run_jobs: " + "; ".join(lines))
        if failed or len(results) < len(task_ids):
            raise CommandError(f"run_jobs: failed: {', '.join(failed) or 'not run'}")

    def _serve(self) -> None:
        """Start the cluster, relay the outbox to it until it stops (its own SIGTERM/SIGINT
        handler stops it)."""
        cluster = Cluster()
        cluster.start()
        self.stdout.write(f"run_jobs: {Conf.WORKERS} workers running (SIGTERM stops them)")
        relay, period = OutboxRelay(), settings.SAHAYATA_OUTBOX_RELAY_SECONDS
        while cluster.sentinel is not None and cluster.sentinel.is_alive():
            try:
                relay.tick()
            except DatabaseError:  # the database is away: look again at the next tick
                logger.exception("outbox relay")
                connections.close_all()
            cluster.sentinel.join(timeout=period)
        connections.close_all()
        self.stdout.write("run_jobs: stopped")
