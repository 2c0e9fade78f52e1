"""``make loadtest``: a peak hour against real gunicorn and worker, with its ceiling.

For each backend (a temporary SQLite file; PostgreSQL too with ``LOADTEST_POSTGRES_URL``,
a database whose name contains ``bench``, emptied before and after): prepare the demo data
and the load's fixtures, start ``run_jobs`` and gunicorn as ``make serve-prod`` does, then
1. the ceiling: locust's ``CeilingUser`` alone, a minimal durable write through the same
   server, middleware and token auth (``LOADTEST_CEILING_SECONDS``, default 10);
2. paid submissions alone (``PaidSubmitter``, ``LOADTEST_PAID_SECONDS``, default 10), then
   the mix (``bench/loadtest_locustfile.py``, ``LOADTEST_SECONDS``, default 20), while
   ``/readyz``'s queue lag is sampled every half second;
3. the drain: the worker catches up; then ``ledger_check``, ``transparency_check``, the
   queue and the outbox are checked.
One JSON line per figure: requests/s, p50/p95/p99 and errors per request kind, each with
its ratio to the ceiling; the worker's lag; the checks. CSV files stay in var/loadtest/.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.loadtest_stack import ROOT, Stack, prepare, stack_env, verify

LOCUST = Path(os.environ.get("LOCUST", ROOT / "var" / "loadtest-venv" / "bin" / "locust"))
USERS = int(os.environ.get("LOADTEST_USERS", "40"))
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "20"))
CEILING_SECONDS = int(os.environ.get("LOADTEST_CEILING_SECONDS", "10"))
PAID_SECONDS = int(os.environ.get("LOADTEST_PAID_SECONDS", "10"))
WEB_WORKERS = int(os.environ.get("LOADTEST_WEB_WORKERS", "4"))
OUT = ROOT / "var" / "loadtest"


def _emit(**fields: Any) -> None:
    print(json.dumps({"bench": "loadtest", **fields}, default=str), flush=True)


def _locust(base: str, fixtures: Path, prefix: Path, seconds: int, *classes: str) -> None:
    env = {**os.environ, "LOADTEST_FIXTURES": str(fixtures)}
    result = subprocess.run(  # noqa: S603 - the pinned locust, fixed arguments
        [
            str(LOCUST),
            "-f",
            str(ROOT / "bench" / "loadtest_locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    # locust exits 1 when a request failed: the figures say which; other codes are errors.
    if result.returncode not in (0, 1) or not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust failed: {result.stderr[-3000:]}")


def _stats(prefix: Path) -> list[dict[str, Any]]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    figures = []
    for row in rows:
        figures.append(
            {
                "kind": row["Name"],
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
            }
        )
    return figures


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


class LagSampler(threading.Thread):
    """Samples ``/readyz``'s queue lag every half second while the load runs."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            try:
                self.samples.append(self.stack.lag_seconds())
            except (OSError, KeyError, ValueError):
                continue


def run_backend(backend: str, database_url: str, folder: Path) -> bool:
    var_dir = folder / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = stack_env(var_dir, database_url)
    fixtures = folder / "fixtures.json"
    started = time.monotonic()
    prepare(env, fixtures)
    _emit(backend=backend, figure="prepared", seconds=round(time.monotonic() - started, 1))
    OUT.mkdir(parents=True, exist_ok=True)
    with Stack(env, var_dir, web_workers=WEB_WORKERS) as stack:
        _locust(stack.base, fixtures, OUT / f"{backend}-ceiling", CEILING_SECONDS, "CeilingUser")
        ceiling = next(f for f in _stats(OUT / f"{backend}-ceiling") if f["kind"] == "ceiling")
        _emit(backend=backend, figure="ceiling", users=USERS, **ceiling)
        stack.wait_drained(settled=False)
        sampler = LagSampler(stack)
        sampler.start()
        _locust(stack.base, fixtures, OUT / f"{backend}-paid", PAID_SECONDS, "PaidSubmitter")
        for figure in _stats(OUT / f"{backend}-paid"):
            if figure["kind"] != "Aggregated":
                ratio = round(figure["rps"] / ceiling["rps"], 3) if ceiling["rps"] else None
                _emit(
                    backend=backend,
                    figure="paid_alone",
                    users=USERS,
                    ratio_to_ceiling=ratio,
                    **figure,
                )
        _locust(
            stack.base,
            fixtures,
            OUT / f"{backend}-mix",
            SECONDS,
            "Operator",
            "Officer",
            "Finance",
            "Public",
        )
        sampler.stop.set()
        sampler.join()
        for figure in _stats(OUT / f"{backend}-mix"):
            ratio = round(figure["rps"] / ceiling["rps"], 3) if ceiling["rps"] else None
            _emit(backend=backend, figure="mix", users=USERS, ratio_to_ceiling=ratio, **figure)
        drain_seconds = stack.wait_drained()
        lag = sorted(sampler.samples) or [0.0]
        _emit(
            backend=backend,
            figure="worker_lag",
            max_seconds=lag[-1],
            p95_seconds=lag[int(0.95 * (len(lag) - 1))],
            samples=len(lag),
            drain_after_load_seconds=round(drain_seconds, 1),
        )
    checks = verify(env)
    _emit(backend=backend, figure="checks", **checks)
    return bool(checks["ok"])


def main() -> None:
    if not LOCUST.exists():
        raise SystemExit(f"locust not found at {LOCUST}: run `make loadtest`")
    ok = True
    if os.environ.get("LOADTEST_SQLITE", "1") != "0":
        with tempfile.TemporaryDirectory(prefix="sahayata-load-") as folder:
            ok = run_backend("sqlite", f"sqlite:///{folder}/load.sqlite3", Path(folder)) and ok
    postgres = os.environ.get("LOADTEST_POSTGRES_URL")
    if postgres:
        from bench._fresh import postgres_schema_reset

        postgres_schema_reset(postgres, "LOADTEST_POSTGRES_URL")
        try:
            with tempfile.TemporaryDirectory(prefix="sahayata-load-") as folder:
                ok = run_backend("postgresql", postgres, Path(folder)) and ok
        finally:
            postgres_schema_reset(postgres, "LOADTEST_POSTGRES_URL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
