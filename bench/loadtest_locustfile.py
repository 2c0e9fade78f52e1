"""The peak hour, for locust (``make loadtest`` runs it; not imported by Django).

Operators submit paid (land mutation) and free services, pay electricity bills, retry a
submission with its Idempotency-Key (the answer must be the first one), and ask for top-ups;
officers decide what the operators submitted; finance approves the top-ups; the public
reads the dashboard and tracks applications. ``CeilingUser`` alone is the ceiling: the
minimal durable write through the same server, middleware and token auth.
The fixtures (tokens, centres, services) come from ``LOADTEST_FIXTURES``.
"""

from __future__ import annotations

import collections
import json
import os
import random
import uuid
from typing import Any

import gevent
from locust import HttpUser, constant, task

FIXTURES: dict[str, Any] = json.loads(open(os.environ["LOADTEST_FIXTURES"]).read())  # noqa: SIM115
TO_DECIDE: dict[str, collections.deque[str]] = collections.defaultdict(
    lambda: collections.deque(maxlen=5000)
)
TOPUPS: collections.deque[str] = collections.deque(maxlen=5000)
TRACKABLE: collections.deque[tuple[str, str]] = collections.deque(maxlen=5000)


def _auth(token: str, key: bool = True) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers


class Operator(HttpUser):
    weight = 10
    wait_time = constant(0)

    def on_start(self) -> None:
        self.me = random.choice(FIXTURES["operators"])
        self.last: tuple[dict[str, Any], dict[str, str], str] | None = None

    def _submit(self, service: dict[str, Any], name: str) -> None:
        mobile = f"9{random.randint(100_000_000, 999_999_999)}"
        body = {
            "centre_code": self.me["centre_code"],
            "service_code": service["code"],
            "citizen": {"name": "Load Citizen", "mobile": mobile},
            "fields": service["fields"],
        }
        headers = _auth(self.me["token"])
        with self.client.post(
            "/api/v1/applications", json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            number = response.json()["application_no"]
        if "department" in service:
            TO_DECIDE[service["department"]].append(number)
        TRACKABLE.append((number, mobile))
        self.last = (body, headers, number)

    @task(4)
    def submit_paid(self) -> None:
        self._submit(FIXTURES["paid"], "submit paid (land_mutation)")

    @task(3)
    def submit_free(self) -> None:
        self._submit(FIXTURES["free"], "submit free")

    @task(3)
    def pay_bill(self) -> None:
        self._submit(FIXTURES["bill"], "pay bill (electricity)")

    @task(1)
    def retry(self) -> None:
        if self.last is None:
            return
        body, headers, number = self.last
        with self.client.post(
            "/api/v1/applications",
            json=body,
            headers=headers,
            name="retry (same Idempotency-Key)",
            catch_response=True,
        ) as response:
            if response.status_code != 201 or response.json()["application_no"] != number:
                response.failure(f"replay differs: {response.status_code} {response.text[:200]}")

    @task(1)
    def request_topup(self) -> None:
        with self.client.post(
            f"/api/v1/centres/{self.me['centre_code']}/wallet/topups",
            json={"amount_paise": 100_000, "bank_reference": f"LT{uuid.uuid4().hex[:20]}"},
            headers=_auth(self.me["token"]),
            name="request top-up",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            TOPUPS.append(response.json()["id"])


class Officer(HttpUser):
    weight = 3
    wait_time = constant(0)

    @task
    def decide(self) -> None:
        departments = [d for d, queue in TO_DECIDE.items() if queue]
        if not departments:
            gevent.sleep(0.05)
            return
        department = random.choice(departments)
        number = TO_DECIDE[department].popleft()
        token = random.choice(FIXTURES["officer_tokens"][department])
        headers = _auth(token, key=False)
        with self.client.get(
            f"/api/v1/applications/{number}",
            headers=headers,
            name="officer reads application",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            actions = response.json()["next_actions"]
        forward = [a for a in actions if a not in ("reject", "return", "return_for_correction")]
        if not forward:  # four eyes: this officer verified it, the other one approves
            TO_DECIDE[department].append(number)
            return
        action = "approve" if "approve" in forward else forward[0]
        with self.client.post(
            f"/api/v1/applications/{number}/actions",
            json={"action": action, "comment": "load test"},
            headers=_auth(token),
            name="officer decides",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            if response.json().get("next_actions"):
                TO_DECIDE[department].append(number)  # a further step of its workflow


class Finance(HttpUser):
    weight = 1
    wait_time = constant(0)

    @task
    def approve(self) -> None:
        if not TOPUPS:
            gevent.sleep(0.05)
            return
        topup = TOPUPS.popleft()
        with self.client.post(
            f"/api/v1/topups/{topup}/approve",
            headers=_auth(FIXTURES["finance_token"]),
            name="finance approves top-up",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")


class Public(HttpUser):
    weight = 6
    wait_time = constant(0)

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/api/v1/transparency/summary", name="dashboard summary (API)")

    @task(1)
    def dashboard_page(self) -> None:
        self.client.get("/dashboard/", name="dashboard page")

    @task(3)
    def track(self) -> None:
        if not TRACKABLE:
            gevent.sleep(0.05)
            return
        number, mobile = random.choice(TRACKABLE)
        self.client.get(
            "/api/v1/track",
            params={"application_no": number, "mobile": mobile},
            name="track",
        )


class PaidSubmitter(HttpUser):
    """Only in the paid phase: operators submitting the paid service alone (the issue's
    figure: paid submissions/s as a ratio to the ceiling). Not a subclass of ``Operator``,
    whose tasks it would inherit."""

    weight = 1
    wait_time = constant(0)
    on_start = Operator.on_start
    _submit = Operator._submit

    @task
    def submit_paid(self) -> None:
        self._submit(FIXTURES["paid"], "submit paid (land_mutation)")


class CeilingUser(HttpUser):
    """Only in the ceiling phase: the minimal durable write (one insert, one update)."""

    weight = 1  # the phases name their classes: the ceiling alone, the mix without it
    wait_time = constant(0)

    def on_start(self) -> None:
        self.token = random.choice(FIXTURES["operators"])["token"]

    @task
    def write(self) -> None:
        self.client.post(
            "/api/v1/bench/ceiling", headers=_auth(self.token, key=False), name="ceiling"
        )
