"""Two real ``run_jobs`` worker processes on one queue, on PostgreSQL: every task runs
exactly once, both take a share, and SIGTERM stops each cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from django.conf import settings
from django.db import connection
from django_q.models import OrmQ, Success
from django_q.tasks import async_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TASKS = 40


def _database_url() -> str:
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]  # the test database
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


def _wait_for(condition: object, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _start_worker() -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "SAHAYATA_JOB_WORKERS": "1",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py, fixed argv
        [sys.executable, str(ROOT / "manage.py"), "run_jobs"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _read_until(stream: IO[str], marker: str) -> str:
    seen = []
    for line in stream:
        seen.append(line)
        if marker in line:
            return "".join(seen)
    pytest.fail("worker exited before: " + marker + "\n" + "".join(seen))


def test_two_workers_share_the_queue_and_never_run_a_task_twice(tmp_path: Path) -> None:
    journal = tmp_path / "journal.txt"
    workers = [_start_worker(), _start_worker()]
    try:
        for worker in workers:
            assert worker.stdout is not None
            _read_until(worker.stdout, "workers running")
        for number in range(TASKS):
            async_task("tests.site.probes.record", str(journal), number)
        _wait_for(
            lambda: Success.objects.count() == TASKS and not OrmQ.objects.exists(),
            seconds=60,
            what="the queue to drain",
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert all("run_jobs: stopped" in output for output in outputs), outputs

    lines = journal.read_text().split()
    numbers = sorted(int(n) for n in lines[0::2])
    assert numbers == list(range(TASKS)), "each task ran exactly once"
    assert len(set(lines[1::2])) >= 2, "both workers took tasks"
