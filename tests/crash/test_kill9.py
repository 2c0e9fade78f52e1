"""Crash safety: ``kill -9`` the real server and the worker in the middle of a load, restart
them, retry everything that was not acknowledged with the same Idempotency-Keys, and lose
nothing.

gunicorn (master and workers) and ``run_jobs`` (the django-q2 cluster and its relay) run as
``make serve-prod`` runs them, on this test's PostgreSQL database. Client threads, each
with its own work and a record of what was acknowledged to it, drive paid submissions
(a certificate service that two officers decide, verify then approve or reject, and bill
payments that the worker settles with the biller), officers' decisions, top-up requests
and their approvals by a finance officer who is not the requester (maker-checker). Three
times during the load the whole process groups of the server and of the worker are
killed with SIGKILL and started again. A client whose request was cut, refused or
answered 5xx retries it with the same key and body until it is acknowledged.

Afterwards: every acknowledged write is in the database; no key had two effects (one
application per submission, one hold per fee line, one history row per decision, one
credit per top-up); every hold is posted, voided or still validly held; the queue drains;
``ledger_check``, ``transparency_check`` and ``audit_verify`` pass. The figures (writes attempted,
acknowledged, cut in flight, retried, lost) are printed as one JSON line for SECURITY.md.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.loadtest_stack import Stack, manage, prepare, stack_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KILLS = 3
LOAD_BETWEEN_KILLS = 5.0  # seconds of load before each kill (after each restart) and after
RETRY_FOR_SECONDS = 90.0  # a client gives up on a write after this long: it would be lost
OPERATORS = 4
CERTIFICATE = "marriage_registration"  # paid, verify_approve: two officers, four eyes
BILL = "electricity_bill"  # paid, settled by the worker with the (simulated) biller
DEPARTMENT = "LAW"
# The checks every crash must leave passing: the ledger, the rollups and the audit chain
# (against the heads the sealer published outside the database too).
CHECKS = ("ledger_check", "transparency_check", "audit_verify")

CUT = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
CUT += (http.client.IncompleteRead, TimeoutError)


@dataclass
class Write:
    """One write a client means to make exactly once, with its key and body fixed."""

    kind: str
    path: str
    token: str
    body: Any
    key: str = field(default_factory=lambda: f"crash-{uuid.uuid4()}")
    attempts: int = 0
    answer: Any = None
    cuts: list[dt.datetime] = field(default_factory=list)  # when a sent request was cut
    refused: int = 0  # refused or answered 5xx while the server was down or starting
    failure: str = ""  # an answer that no retry may get (a 4xx): the test fails on it

    @property
    def acknowledged(self) -> bool:
        return self.answer is not None


class Clients:
    """The load's clients and what each was told."""

    def __init__(self, base: str, tokens: dict[str, Any], services: dict[str, Any]) -> None:
        self.base, self.tokens, self.services = base, tokens, services
        self.writes: list[Write] = []
        self.to_verify: list[str] = []
        self.to_decide: list[str] = []
        self.to_approve: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.numbers = itertools.count(1)
        self.stop = threading.Event()

    def send(self, write: Write) -> Any:
        """Send until acknowledged (or a refusal no retry may get); the answer or None."""
        with self.lock:
            self.writes.append(write)
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        while time.monotonic() < deadline:
            write.attempts += 1
            request = urllib.request.Request(  # noqa: S310 - our own server
                self.base + write.path,
                data=None if write.body is None else json.dumps(write.body).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {write.token}",
                    "Idempotency-Key": write.key,
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    write.answer = json.loads(response.read())
                    return write.answer
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    write.failure = f"{exc.code} {exc.read()[:300]!r}"
                    return None
                write.refused += 1  # 502/503 while the server starts or stops
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, CUT):
                    write.cuts.append(timezone.now())
                else:  # connection refused: nobody listening between a kill and a restart
                    write.refused += 1
            except CUT:
                write.cuts.append(timezone.now())
            time.sleep(0.2)
        return None

    def operator(self, n: int) -> None:
        token, centre = self.tokens["operators"][n]
        for turn in itertools.count():
            if self.stop.is_set():
                return
            number = next(self.numbers)
            if turn % 4 == 3:
                amount = 100_000 + number
                answer = self.send(
                    Write(
                        "topup_request",
                        f"/api/v1/centres/{centre}/wallet/topups",
                        token,
                        {"amount_paise": amount, "bank_reference": f"CRASH{number:06d}"},
                    )
                )
                if answer is not None:
                    with self.lock:
                        self.to_approve.append((answer["id"], number))
                continue
            service = CERTIFICATE if turn % 4 in (0, 2) else BILL
            body = {
                "centre_code": centre,
                "service_code": service,
                # A mobile of its own for every submission: its effects can be counted.
                "citizen": {"name": "Crash Citizen", "mobile": f"9{800_000_000 + number}"},
                "fields": self.services[service],
            }
            answer = self.send(Write(f"submit_{service}", "/api/v1/applications", token, body))
            if answer is not None and service == CERTIFICATE:
                with self.lock:
                    self.to_verify.append(answer["application_no"])

    def officer(self, n: int) -> None:
        """The department's first officer verifies; the second, who may not approve what
        they verified, approves (or rejects) what the first verified."""
        token = self.tokens["officers"][n]
        while not self.stop.is_set():
            with self.lock:
                queue = self.to_verify if n == 0 else self.to_decide
                number = queue.pop(0) if queue else None
            if number is None:
                time.sleep(0.05)
                continue
            path = f"/api/v1/applications/{number}/actions"
            if n == 0:
                if self.send(Write("verify", path, token, {"action": "verify"})) is not None:
                    with self.lock:
                        self.to_decide.append(number)
            elif random.random() < 0.7:
                self.send(Write("approve", path, token, {"action": "approve"}))
            else:
                self.send(Write("reject", path, token, {"action": "reject", "comment": "crash"}))

    def finance(self) -> None:
        officers = itertools.cycle(self.tokens["finance"])  # either finance officer approves
        while not self.stop.is_set():
            with self.lock:
                topup = self.to_approve.pop(0) if self.to_approve else None
            if topup is None:
                time.sleep(0.05)
                continue
            self.send(
                Write("topup_approve", f"/api/v1/topups/{topup[0]}/approve", next(officers), None)
            )

    def run(self, stack: Stack) -> list[dict[str, Any]]:
        threads = [threading.Thread(target=self.operator, args=(n,)) for n in range(OPERATORS)]
        threads += [threading.Thread(target=self.officer, args=(n,)) for n in range(2)]
        threads.append(threading.Thread(target=self.finance))
        for thread in threads:
            thread.start()
        kills = []
        for _kill in range(KILLS):
            time.sleep(LOAD_BETWEEN_KILLS * random.uniform(0.8, 1.2))
            killed_at = timezone.now()
            stack.kill()
            time.sleep(0.5)
            began = time.monotonic()
            stack.start()  # the server answers again; the worker is starting
            kills.append({"at": killed_at, "restart_seconds": round(time.monotonic() - began, 1)})
        time.sleep(LOAD_BETWEEN_KILLS)
        self.stop.set()  # no new writes; what is being sent is retried until acknowledged
        for thread in threads:
            thread.join()
        return kills


def _database_url() -> str:
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]  # the test database, flushed after the test
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


def _tokens(fixtures: dict[str, Any]) -> dict[str, Any]:
    from sahayata.people.models import Role, User
    from sahayata.people.tokens import api_token_create

    officers = User.objects.filter(role=Role.OFFICER, department__code=DEPARTMENT)
    finance = User.objects.filter(role=Role.FINANCE, is_active=True).order_by("username")
    return {
        "operators": [(op["token"], op["centre_code"]) for op in fixtures["operators"]],
        "officers": [api_token_create(user=u) for u in officers.order_by("username")[:2]],
        "finance": [api_token_create(user=u) for u in finance[:2]],
    }


def _example_fields(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/api/v1/services", timeout=30) as response:  # noqa: S310
        catalogue = json.loads(response.read())
    items = catalogue["items"] if isinstance(catalogue, dict) else catalogue
    return {
        s["code"]: {
            f["name"]: int(f["example"]) if f["type"] == "paise" else f["example"]
            for f in s["form_fields"]
        }
        for s in items
        if s["code"] in (CERTIFICATE, BILL)
    }


def _effects(writes: list[Write], kills: list[dict[str, Any]]) -> dict[str, Any]:
    """What the database holds for each write; every problem found, by name."""
    from sahayata.api.models import IdempotencyRecord
    from sahayata.applications.models import Application, ApplicationHistory, HoldState
    from sahayata.wallet.models import TopUp, Transfer, TransferKind

    problems: list[str] = []
    acknowledged = [w for w in writes if w.acknowledged]
    records = {r.key: r for r in IdempotencyRecord.objects.filter(key__startswith="crash-")}
    # Every acknowledged write is present, once.
    for write in acknowledged:
        if write.key not in records:
            problems.append(f"{write.kind} {write.key}: acknowledged, no idempotency record")
    submissions = [w for w in acknowledged if w.kind.startswith("submit_")]
    apps = {
        a.number: a
        for a in Application.objects.filter(citizen__mobile__startswith="98").select_related(
            "citizen", "service"
        )
    }
    per_mobile = Counter(a.citizen.mobile for a in apps.values())
    for write in submissions:
        number, mobile = write.answer["application_no"], write.body["citizen"]["mobile"]
        if number not in apps:
            problems.append(f"submission {number}: acknowledged, missing")
        elif per_mobile[mobile] != 1:
            problems.append(f"submission {number}: {per_mobile[mobile]} applications")
    if len(apps) != len(submissions):
        problems.append(f"{len(apps)} applications for {len(submissions)} submissions")
    holds = Counter(
        Transfer.objects.filter(kind=TransferKind.PENDING, reference__in=list(apps)).values_list(
            "reference", flat=True
        )
    )
    for number, app in apps.items():
        lines = app.fees.count()
        if holds[number] != lines:
            problems.append(f"{number}: {holds[number]} holds for {lines} fee lines")
    steps = Counter(
        ApplicationHistory.objects.filter(application__number__in=list(apps)).values_list(
            "application__number", "action"
        )
    )
    for write in acknowledged:
        if write.kind in ("verify", "approve", "reject"):
            number = write.path.split("/")[4]
            if steps[(number, write.kind)] != 1:
                problems.append(f"{number}: {steps[(number, write.kind)]} {write.kind} rows")
            final = {"approve": "approved", "reject": "rejected"}.get(write.kind)
            if final and apps[number].status != final:
                problems.append(f"{number}: {write.kind} acknowledged, {apps[number].status}")
    topups = {str(t.pk): t for t in TopUp.objects.filter(bank_reference__startswith="CRASH")}
    requested = [w for w in acknowledged if w.kind == "topup_request"]
    if len(topups) != len(requested):
        problems.append(f"{len(topups)} top-ups for {len(requested)} requests")
    credits = Counter(
        Transfer.objects.filter(reference__startswith="topup:CRASH").values_list(
            "reference", flat=True
        )
    )
    for write in requested:
        topup = topups.get(write.answer["id"])
        if topup is None:
            problems.append(f"top-up {write.answer['id']}: acknowledged, missing")
            continue
        expected = 1 if topup.status == TopUp.Status.CREDITED else 0
        if credits[f"topup:{topup.bank_reference}"] != expected:
            problems.append(
                f"top-up {topup.pk}: {credits[f'topup:{topup.bank_reference}']} credits"
            )
    for write in acknowledged:
        if write.kind == "topup_approve":
            topup = topups[write.path.split("/")[4]]
            if topup.status != TopUp.Status.CREDITED:
                problems.append(f"top-up {topup.pk}: approval acknowledged, {topup.status}")
    # Every hold is posted, voided, or still validly held (unresolved, not expired, for an
    # application still open and saying "held").
    now = timezone.now()
    for hold in Transfer.objects.filter(kind=TransferKind.PENDING).select_related("resolution"):
        resolution = getattr(hold, "resolution", None)
        app = apps.get(hold.reference)
        if resolution is None:
            valid = hold.timeout_at is None or hold.timeout_at > now
            if not valid or (app is not None and not (app.is_open and app.hold == "held")):
                problems.append(f"hold {hold.pk} ({hold.reference}): unresolved, not valid")
        elif app is not None:
            wanted = HoldState.POSTED if resolution.kind == TransferKind.POST_PENDING else None
            wanted = wanted or HoldState.VOIDED
            if app.hold != wanted:
                problems.append(f"{app.number}: hold {resolution.kind}, application {app.hold}")
    bills_held = [a.number for a in apps.values() if a.service.code == BILL and a.hold == "held"]
    if bills_held:
        problems.append(f"bill payments left held after the worker drained: {bills_held}")
    # The figures.
    cut = [w for w in writes if w.cuts]
    committed_before_cut = sum(
        1 for w in cut if w.key in records and records[w.key].created_at < w.cuts[0]
    )
    return {
        "problems": problems,
        "figures": {
            "bench": "crash.kill9",
            "kills": len(kills),
            "restart_seconds": [k["restart_seconds"] for k in kills],
            "writes_attempted": len(writes),
            "writes_acknowledged": len(acknowledged),
            "by_kind": dict(Counter(w.kind for w in writes)),
            "killed_in_flight": len(cut),
            "killed_in_flight_committed": committed_before_cut,
            "refused_while_down": sum(1 for w in writes if w.refused),
            "retried": sum(1 for w in writes if w.attempts > 1),
            "lost": len(writes) - len(acknowledged),
            "refusals": sum(1 for w in writes if w.failure),
            "applications": len(apps),
            "holds": sum(holds.values()),
        },
    }


def test_kill_9_in_the_middle_of_the_load_loses_nothing_and_does_nothing_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = stack_env(
        var_dir,
        _database_url(),
        # A task whose worker was killed comes back once its lock runs out (the retry): short
        # here, so that the queue drains within the test (a deployment keeps 360 s).
        SAHAYATA_JOB_RETRY="10",
        SAHAYATA_JOB_TIMEOUT="8",
        SAHAYATA_ADAPTERS=json.dumps({"electricity_biller": {"latency_ms": 50}}),
    )
    began = time.monotonic()
    fixtures = prepare(env, tmp_path / "fixtures.json", light=True)
    tokens = _tokens(fixtures)
    seconds = {"prepare": time.monotonic() - began}
    with Stack(env, var_dir, web_workers=2) as stack:
        clients = Clients(stack.base, tokens, _example_fields(stack.base))
        began = time.monotonic()
        kills = clients.run(stack)
        seconds["load"] = time.monotonic() - began
        failures = [f"{w.kind} {w.path}: {w.failure}" for w in clients.writes if w.failure]
        assert failures == []
        # Every write that was cut, and a sample of the others, sent once more with its key:
        # the same answer as its acknowledgement, and (checked below) no second effect.
        again = [w for w in clients.writes if w.cuts]
        again += random.sample(
            [w for w in clients.writes if not w.cuts], k=min(20, len(clients.writes) - len(again))
        )
        replays = [(w, Write(w.kind, w.path, w.token, w.body, key=w.key)) for w in again]
        for _first, replay in replays:
            clients.send(replay)
        differ = [f"{a.kind} {a.key}" for a, b in replays if a.answer != b.answer]
        assert differ == []
        # The worker catches up; then the calls a killed worker had made without an answer
        # are settled as the periodic reconciliation settles them (after its grace period,
        # here at once: the load is over, so no dispatcher is on them).
        stack.wait_drained(timeout=90, settled=False)
        reconciled = manage(env, "integrations_reconcile", "--grace", "0")
        assert reconciled.returncode == 0, reconciled.stderr
        stack.wait_drained(timeout=90)
        assert stack.readyz()["status"] == "ready"
        seconds["drain"] = time.monotonic() - began - seconds["load"]
    found = _effects(clients.writes[: -len(replays)], kills)
    found["figures"]["replayed_identical"] = len(replays)
    found["figures"]["seconds"] = {name: round(value, 1) for name, value in seconds.items()}
    with capsys.disabled():
        print("\n" + json.dumps(found["figures"]))
    assert found["problems"] == []
    assert found["figures"]["lost"] == 0
    assert found["figures"]["killed_in_flight"] > 0, "no kill hit a request in flight"
    for command in CHECKS:
        result = manage(env, command)
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
