"""``manage.py run_jobs [--once] [--interval SECONDS]``: the periodic jobs, in one process.

Each job calls the same service function as its own command (``wallet_sweep``,
``integrations_poll``, ``integrations_reconcile``, ``rtps_escalate``,
``notifications_send``, ``rollups_apply``), and ``documents_sweep`` (files staged by
transactions that rolled back). A job that fails is logged and the others
still run; SIGTERM or SIGINT stops the loop after the job that is running, never halfway
through a transaction. Every job is idempotent, so two of these processes may overlap.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

logger = logging.getLogger("sahayata.jobs")


def _wallet_sweep() -> str:
    from sahayata.wallet.services import holds_expire

    total = 0
    while True:
        voided = holds_expire(limit=1000)
        total += voided
        if voided < 1000:
            return f"voided={total}"


def _integrations_poll() -> str:
    from sahayata.applications.dispatch import integrations_poll

    return " ".join(f"{key}={value}" for key, value in integrations_poll().items())


def _integrations_reconcile() -> str:
    from sahayata.applications.dispatch import integrations_reconcile

    counts = integrations_reconcile(older_than_seconds=60)
    return " ".join(f"{key}={value}" for key, value in counts.items())


def _rtps_escalate() -> str:
    from sahayata.applications.services import applications_escalate_overdue

    return f"flagged={applications_escalate_overdue(today=None)}"


def _notifications_send() -> str:
    from sahayata.notifications.services import notifications_send

    return f"sent={notifications_send(limit=1000)}"


def _rollups_apply() -> str:
    from sahayata.transparency.services import rollups_apply_all

    return f"folded={rollups_apply_all(limit=10_000)}"


def _fresh_connection() -> None:
    """Drop a connection that broke (database restarted) so the next job reconnects.

    Not inside an outer transaction (a test's), which closing would break.
    """
    if not connection.in_atomic_block:
        close_old_connections()


def _documents_sweep() -> str:
    from sahayata.applications.documents import documents_sweep

    counts = documents_sweep(older_than_seconds=3600)
    return " ".join(f"{key}={value}" for key, value in counts.items())


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], str]


# In this order: expiries and back-end answers first, so that the notifications and the
# rollup events they write go out in the same cycle.
JOBS: tuple[Job, ...] = (
    Job("wallet_sweep", _wallet_sweep),
    Job("integrations_poll", _integrations_poll),
    Job("integrations_reconcile", _integrations_reconcile),
    Job("rtps_escalate", _rtps_escalate),
    Job("notifications_send", _notifications_send),
    Job("rollups_apply", _rollups_apply),
    Job("documents_sweep", _documents_sweep),
)


def jobs_run_once(
    *, jobs: tuple[Job, ...] | None = None, stop: threading.Event | None = None
) -> dict[str, str]:
    """Run every job once; return ``{name: summary or "error: …"}``. Never raises."""
    results: dict[str, str] = {}
    for job in JOBS if jobs is None else jobs:
        if stop is not None and stop.is_set():
            break
        _fresh_connection()
        started = time.monotonic()
        try:
            summary = job.run()
        except Exception as exc:  # a failing job must not stop the others; it is logged
            logger.exception("job %s failed", job.name)
            results[job.name] = f"error: {type(exc).__name__}: {exc}"
            continue
        logger.info("job %s: %s (%.2fs)", job.name, summary, time.monotonic() - started)
        results[job.name] = summary
    return results


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (hold expiry, back-end polling and reconciliation, RTPS "
        "escalation, notifications, transparency rollups) every --interval seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run each job once and exit.")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between cycles (default 30)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["interval"]
        if interval <= 0:
            interval = 30.0
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {
            signum: signal.signal(signum, request_stop)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while True:
                results = jobs_run_once(stop=stop)
                failed = [name for name, summary in results.items() if summary.startswith("error")]
                line = "; ".join(f"{name}: {summary}" for name, summary in results.items())
                (self.stderr if failed else self.stdout).write(f"run_jobs: {line}")
                if options["once"] or stop.wait(interval):
                    break
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            _fresh_connection()
        self.stdout.write("run_jobs: stopped")
