"""The paid submission's cost: queries and durable commits per request, and its profile.

``python -m bench submission`` prints one JSON line per backend: ``POST /api/v1/applications``
for ``land_mutation`` (a fixed fee that an officer decides) on the demo data, through the
real middleware and token auth, with the worker's jobs *not* run (they are the worker's).
A durable commit is a COMMIT, or a write made in autocommit mode (outside any atomic block).
``BENCH_PROFILE=1`` also prints a pyinstrument profile of the same request (text, to stderr).
A temporary SQLite file, and with ``BENCH_POSTGRES_URL`` (a database whose name contains
``bench``) PostgreSQL too, each in a child process; the PostgreSQL tables are dropped after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import production_env

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_SUBMISSIONS", "30"))
WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "WITH", "COPY")


def _run_child(url: str, backend: str) -> None:
    env = production_env(DATABASE_URL=url, LOG_LEVEL="ERROR", SAHAYATA_BENCH_CEILING="1")
    result = subprocess.run(  # noqa: S603 - our own module, fixed argv
        [sys.executable, "-m", "bench.submission", "--child", backend],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(result.stdout)
    if os.environ.get("BENCH_PROFILE") or os.environ.get("BENCH_QUERIES"):
        sys.stderr.write(result.stderr)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        print(json.dumps({"bench": "submission", "backend": backend, "error": "child failed"}))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sahayata-sbench-") as folder:
        _run_child(f"sqlite:///{folder}/bench.sqlite3", "sqlite")
    postgres = os.environ.get("BENCH_POSTGRES_URL")
    if postgres:
        from bench._fresh import postgres_schema_reset

        postgres_schema_reset(postgres, "BENCH_POSTGRES_URL")
        try:
            _run_child(postgres, "postgresql")
        finally:
            postgres_schema_reset(postgres, "BENCH_POSTGRES_URL")


# --- child ----------------------------------------------------------------------------------


class CommitCounter:
    """Counts durable commits on ``connection``: COMMITs and autocommitted writes."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.commits = 0
        self.autocommit_writes = 0

    def __enter__(self) -> CommitCounter:
        original = self.connection._commit

        def counting_commit() -> Any:
            self.commits += 1
            return original()

        self._original = original
        self.connection._commit = counting_commit
        self._wrapper = self.connection.execute_wrapper(self._watch)
        self._wrapper.__enter__()
        return self

    def _watch(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if not self.connection.in_atomic_block and sql.lstrip().upper().startswith(WRITE_PREFIXES):
            self.autocommit_writes += 1
        return execute(sql, *args)

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)
        self.connection._commit = self._original

    @property
    def durable(self) -> int:
        return self.commits + self.autocommit_writes


class DriverStatements:
    """Counts the statements sent on the driver's own cursor (the ledger engine and
    ``core.dialect`` bypass Django's cursor, so CaptureQueriesContext does not see them)."""

    def __init__(self) -> None:
        self.count = 0
        self.sql: list[str] = []

    def install(self) -> None:
        counter = self

        class Counted:
            def __init__(self, cursor: Any) -> None:
                self._cursor = cursor

            def __getattr__(self, name: str) -> Any:
                attribute = getattr(self._cursor, name)
                if name in ("execute", "executemany", "copy"):

                    def counted(sql: Any, *args: Any, **kwargs: Any) -> Any:
                        counter.count += 1
                        counter.sql.append("driver: " + str(sql)[:180])
                        return attribute(sql, *args, **kwargs)

                    return counted
                return attribute

            def close(self) -> None:
                self._cursor.close()

        from contextlib import contextmanager

        from sahayata.core import dialect

        def counting(opened: Callable[[Any], Any]) -> Callable[[Any], Any]:
            @contextmanager
            def counted_cursor(db: Any) -> Any:
                with opened(db) as cursor:
                    yield Counted(cursor)

            return counted_cursor

        # The driver's cursor, and PostgreSQL's server-binding one (prepared statements).
        dialect._cursor = counting(dialect._cursor)  # type: ignore[assignment]
        dialect._prepared_cursor = counting(dialect._prepared_cursor)  # type: ignore[assignment]


def submission_body(centre_code: str, n: int) -> dict[str, Any]:
    """A ``land_mutation`` submission with the catalogue's example values."""
    return {
        "centre_code": centre_code,
        "service_code": "land_mutation",
        "citizen": {"name": f"Bench Citizen {n}", "mobile": f"98{n % 100_000_000:08d}"},
        "fields": {
            "mouza": "Champahati",
            "jl_no": 45,
            "khatian_no": "1234",
            "plot_no": "567",
            "area_decimal": 12,
        },
    }


def _child(backend: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sahayata.people.models import Role, User
    from sahayata.people.tokens import api_token_create

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    operator = User.objects.filter(role=Role.OPERATOR).order_by("username").first()
    if not (operator is not None and operator.centre is not None):
        raise RuntimeError("operator is not None and operator.centre is not None")
    token = api_token_create(user=operator)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    centre_code = operator.centre.code

    def submit(n: int) -> Any:
        return client.post(
            "/api/v1/applications",
            submission_body(centre_code, n),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )

    driver = DriverStatements()
    driver.install()
    for n in range(3):  # warm: imports, caches, the token's last-used stamp
        if not (submit(n).status_code == 201):
            raise RuntimeError("submit(n).status_code == 201")
    # The baseline, in the same process and run: the load test's ceiling (a minimal durable
    # write through the same middleware and token auth, sahayata/site/ceiling.py).
    for _ in range(3):
        client.post("/api/v1/bench/ceiling", content_type="application/json")
    started = time.perf_counter()
    for _ in range(REQUESTS):
        if client.post("/api/v1/bench/ceiling", content_type="application/json").status_code != 201:
            raise RuntimeError("the ceiling endpoint did not answer 201")
    ceiling_ms = (time.perf_counter() - started) / REQUESTS * 1000
    queries, durable, started = [], [], time.perf_counter()
    for n in range(3, 3 + REQUESTS):
        before = driver.count
        with CaptureQueriesContext(connection) as captured, CommitCounter(connection) as counted:
            response = submit(n)
        if not (response.status_code == 201):
            raise RuntimeError(response.content)
        queries.append(len(captured.captured_queries) + driver.count - before)
        durable.append(counted.durable)
    elapsed = time.perf_counter() - started
    record = {
        "bench": "submission",
        "figure": "paid_submission",
        "backend": backend,
        "requests": REQUESTS,
        "queries_per_request": max(queries),
        "durable_commits_per_request": max(durable),
        "ms_per_request": round(elapsed / REQUESTS * 1000, 2),
        "in_process_ms_includes_capture": True,
        "ceiling_ms_per_request": round(ceiling_ms, 2),
        "speed_vs_ceiling": round(ceiling_ms / (elapsed / REQUESTS * 1000), 2),
    }
    print(json.dumps(record), flush=True)
    _decisions_and_topups(backend, operator, driver, submit)
    if os.environ.get("BENCH_QUERIES"):
        driver.sql.clear()
        with CaptureQueriesContext(connection) as captured:
            submit(10_000)
        for query in captured.captured_queries:
            sys.stderr.write(query["sql"][:200] + "\n")
        sys.stderr.write("\n".join(driver.sql) + "\n")
    if os.environ.get("BENCH_PROFILE"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for n in range(20_000, 20_000 + REQUESTS):
                submit(n)
        sys.stderr.write(profiler.output_text(unicode=True, show_all=False))


def _measured(driver: DriverStatements, call: Callable[[], Any]) -> tuple[Any, int, int]:
    """``call()``'s answer, its statements (Django's and the driver's) and durable commits."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = driver.count
    with CaptureQueriesContext(connection) as captured, CommitCounter(connection) as counted:
        response = call()
    return response, len(captured.captured_queries) + driver.count - before, counted.durable


def _decisions_and_topups(
    backend: str, operator: Any, driver: DriverStatements, submit: Callable[[int], Any]
) -> None:
    """The officer's decision (``POST …/actions``, the forward action its ``next_actions``
    allow, by whichever of the department's officers may take it) and the finance
    officer's top-up approval, measured as the submission is; profiled with BENCH_PROFILE."""
    from django.test import Client

    from sahayata.people.models import Role, User
    from sahayata.people.tokens import api_token_create

    numbers = [submit(40_000 + n).json()["application_no"] for n in range(REQUESTS)]
    officers = [
        Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
        for user in User.objects.filter(
            role=Role.OFFICER, department__services__code="land_mutation"
        ).order_by("pk")
    ]
    finance = User.objects.filter(role=Role.FINANCE, is_active=True).order_by("pk").first()
    payer = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=operator)}")
    checker = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=finance)}")

    def decision(number: str) -> Callable[[], Any]:
        """The request that takes ``number``'s next forward action (found first, unmeasured)."""
        for officer in officers:
            actions = officer.get(f"/api/v1/applications/{number}").json()["next_actions"]
            forward = [a for a in actions if a not in ("reject", "return", "return_for_correction")]
            if forward:
                action = "approve" if "approve" in forward else forward[0]
                return lambda: officer.post(
                    f"/api/v1/applications/{number}/actions",
                    {"action": action, "comment": "bench"},
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
                )
        raise RuntimeError(f"no officer may act on {number}")

    def topup() -> str:
        response = payer.post(
            f"/api/v1/centres/{operator.centre.code}/wallet/topups",
            {"amount_paise": 100_000, "bank_reference": f"BN{uuid.uuid4().hex[:20]}"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        if response.status_code != 201:
            raise RuntimeError(response.content)
        return str(response.json()["id"])

    def approve(topup_id: str) -> Any:
        return checker.post(
            f"/api/v1/topups/{topup_id}/approve",
            {},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )

    decision(numbers[0])(), approve(topup())  # warm
    topups = [topup() for _ in range(REQUESTS)]
    for figure, calls in (
        ("officer_decision", [decision(n) for n in numbers[1:]]),
        ("topup_approval", [lambda t=t: approve(t) for t in topups]),
    ):
        queries, durable, started = [], [], time.perf_counter()
        for call in calls:
            response, statements, commits = _measured(driver, call)
            if response.status_code != 200:
                raise RuntimeError(response.content)
            queries.append(statements)
            durable.append(commits)
        record = {
            "bench": "submission",
            "figure": figure,
            "backend": backend,
            "requests": len(calls),
            "queries_per_request": max(queries),
            "durable_commits_per_request": max(durable),
            "ms_per_request": round((time.perf_counter() - started) / len(calls) * 1000, 2),
        }
        print(json.dumps(record), flush=True)
    if os.environ.get("BENCH_PROFILE"):
        from pyinstrument import Profiler

        more = [submit(60_000 + n).json()["application_no"] for n in range(REQUESTS)]
        topups = [topup() for _ in range(REQUESTS)]
        for name, batch in (
            ("officer_decision", [decision(n) for n in more]),
            ("topup_approval", [lambda t=t: approve(t) for t in topups]),
        ):
            profiler = Profiler(interval=0.0005)
            with profiler:
                for call in batch:
                    call()
            sys.stderr.write(f"--- profile: {name}\n")
            sys.stderr.write(profiler.output_text(unicode=True, show_all=False))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
        main()
