"""A short mixed load on the real stack: gunicorn and the ``run_jobs`` worker, started as
``make serve-prod`` starts them, driven by plain threads for a few seconds. Afterwards the
worker has drained everything, each notification went out once, each back-end call is
settled, and ``ledger_check`` and ``transparency_check`` pass. On SQLite (a database
file) and on PostgreSQL (this test's database)."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from bench.loadtest_stack import Stack, prepare, stack_env, verify

pytestmark = pytest.mark.django_db(transaction=True)

SECONDS = 4.0
THREADS = 6


def _database_url(tmp_path: Path) -> str:
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'load.sqlite3'}"
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]  # the test database, flushed after the test
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


class Driver:
    """Operators, an officer, finance and the public, each request checked as it answers."""

    def __init__(self, base: str, fixtures: dict[str, Any]) -> None:
        self.base, self.fixtures = base, fixtures
        self.to_decide: list[str] = []
        self.topups: list[str] = []
        self.trackable: list[tuple[str, str]] = []
        self.counts: dict[str, int] = {}
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def call(self, kind: str, method: str, path: str, *, token: str = "", body: Any = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own server
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                answer = json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            with self.lock:
                self.errors.append(f"{kind}: {exc.code} {exc.read()[:200]!r}")
            return None
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
        return answer

    def submit(self, operator: dict[str, str], service: dict[str, Any], kind: str) -> None:
        mobile = f"9{random.randint(100_000_000, 999_999_999)}"
        body = {
            "centre_code": operator["centre_code"],
            "service_code": service["code"],
            "citizen": {"name": "Load Citizen", "mobile": mobile},
            "fields": service["fields"],
        }
        answer = self.call(kind, "POST", "/api/v1/applications", token=operator["token"], body=body)
        if answer is not None:
            with self.lock:
                if kind == "paid":
                    self.to_decide.append(answer["application_no"])
                self.trackable.append((answer["application_no"], mobile))

    def step(self) -> None:
        operator = random.choice(self.fixtures["operators"])
        choice = random.randrange(8)
        if choice == 0:
            self.submit(operator, self.fixtures["paid"], "paid")
        elif choice == 1:
            self.submit(operator, self.fixtures["free"], "free")
        elif choice == 2:
            self.submit(operator, self.fixtures["bill"], "bill")
        elif choice == 3:
            answer = self.call(
                "topup",
                "POST",
                f"/api/v1/centres/{operator['centre_code']}/wallet/topups",
                token=operator["token"],
                body={"amount_paise": 100_000, "bank_reference": f"CI{uuid.uuid4().hex[:20]}"},
            )
            if answer is not None:
                with self.lock:
                    self.topups.append(answer["id"])
        elif choice == 4 and self.topups:
            with self.lock:
                topup = self.topups.pop()
            token = self.fixtures["finance_token"]
            self.call("approve", "POST", f"/api/v1/topups/{topup}/approve", token=token)
        elif choice == 5 and self.to_decide:
            with self.lock:
                number = self.to_decide.pop()
            token = self.fixtures["officer_tokens"][self.fixtures["paid"]["department"]][0]
            self.call(
                "decide",
                "POST",
                f"/api/v1/applications/{number}/actions",
                token=token,
                body={"action": "approve", "comment": "ci load"},
            )
        elif choice == 6 and self.trackable:
            number, mobile = random.choice(self.trackable)
            self.call("track", "GET", f"/api/v1/track?application_no={number}&mobile={mobile}")
        else:
            self.call("summary", "GET", "/api/v1/transparency/summary")

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds

        def loop() -> None:
            while time.monotonic() < deadline:
                self.step()

        threads = [threading.Thread(target=loop) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def test_a_short_mixed_load_on_gunicorn_and_the_worker_drains_and_checks_pass(
    tmp_path: Path,
) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = stack_env(
        var_dir,
        _database_url(tmp_path),
        # Fast back ends, so that every call is settled within the test's seconds.
        SAHAYATA_ADAPTERS=json.dumps({"electricity_biller": {"latency_ms": 50}}),
    )
    fixtures = prepare(env, tmp_path / "fixtures.json", light=True)
    with Stack(env, var_dir, web_workers=2) as stack:
        driver = Driver(stack.base, fixtures)
        driver.run(SECONDS)
        assert driver.errors == []
        assert {"paid", "free", "bill"} <= set(driver.counts), driver.counts
        stack.wait_drained(timeout=60)
        assert stack.readyz()["status"] == "ready"
    checks = verify(env)
    assert checks["ok"], checks
    assert checks["notifications_sent"] >= driver.counts["paid"]
    assert checks["adapter_calls"] >= driver.counts["bill"]
