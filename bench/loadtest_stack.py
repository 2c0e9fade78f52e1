"""The stack a load test runs against: a prepared database, real gunicorn and worker, checks.

Shared by ``make loadtest`` (``bench/loadtest.py``, locust) and the CI test
``tests/site/test_load.py`` (threads and urllib). ``prepare`` migrates, loads the demo
data and writes the load's fixtures (API tokens, centres with funded wallets, services and
their example fields) as JSON; ``Stack`` starts ``run_jobs`` and gunicorn as
``make serve-prod`` does; ``wait_drained`` waits until the worker has caught up;
``verify`` runs ``ledger_check`` and ``transparency_check`` and checks the outbox.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CENTRES = 8
TOPUP_PAISE = 10**10  # ₹10 crore per centre: no submission fails for want of funds


def free_port() -> int:
    """A free port on loopback: the first free one of ``LOADTEST_PORTS`` (``8110-8119``,
    on a machine shared with others who have their own ranges), else any."""
    first, _, last = os.environ.get("LOADTEST_PORTS", "").partition("-")
    for port in range(int(first), int(last or first) + 1) if first else ():
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_env(var_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The production profile (DEBUG off, real keys) with the load's own knobs."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "SAHAYATA_AADHAAR_HMAC_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SAHAYATA_VAR_DIR": str(var_dir),
        "SAHAYATA_SMS_FILE": str(var_dir / "outbox-sms.log"),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "sahayata.settings",
        "LOG_LEVEL": "WARNING",
        "SAHAYATA_BENCH_CEILING": "1",
        # The demo data on plain http on loopback (no TLS proxy in front).
        "SAHAYATA_SIMULATED": "1",
        "SAHAYATA_HTTPS": "0",
        # Every public request comes from 127.0.0.1 here: the per-IP tracking limit would
        # answer 429 to the whole public at once.
        "SAHAYATA_RATE_LIMITS": json.dumps({"track": [10**9, 60]}),
        # Back ends that confirm later do so within seconds, so that the checks after the
        # load can ask for every call settled (the minute's poll still has to come by).
        "SAHAYATA_ADAPTERS": json.dumps(
            {
                "treasury_challan": {"confirm_delay_seconds": 5},
                "land_records": {"confirm_delay_seconds": 5},
            }
        ),
    }
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def prepare(env: dict[str, str], fixtures: Path, *, light: bool = False) -> dict[str, Any]:
    """Migrate, collect static files and load the demo data (``light``: only places,
    catalogue, people and wallets, for the CI test), then write the fixtures."""
    steps: list[tuple[str, ...]] = [("migrate", "--noinput", "-v0")]
    if not light:
        steps += [("collectstatic", "--noinput", "-v0"), ("seed_demo", "--quiet")]
    for args in steps:
        result = manage(env, *args)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr[-2000:]}")
    args = ["--fixtures", str(fixtures), *(["--light"] if light else [])]
    _child(env, *args)
    data: dict[str, Any] = json.loads(fixtures.read_text())
    return data


LIGHT_DEMO = (
    "sahayata.places.demo",
    "sahayata.catalogue.demo",
    "sahayata.people.demo",
    "sahayata.wallet.demo",
)


class Stack:
    """``run_jobs`` and gunicorn on a free port, with their output in ``var_dir``."""

    def __init__(self, env: dict[str, str], var_dir: Path, *, web_workers: int = 4) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.var_dir = var_dir
        self.web_workers = web_workers
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Stack:
        self.start()
        return self

    def start(self) -> None:
        """Start (or, after ``kill``, restart on the same port) gunicorn, wait until it
        answers, then the worker; each the leader of its own process group."""
        self.starts = getattr(self, "starts", 0) + 1
        suffix = "" if self.starts == 1 else f".{self.starts}"
        self.server_log = self.var_dir / f"gunicorn{suffix}.log"
        server = subprocess.Popen(  # noqa: S603 - the pinned gunicorn, fixed arguments
            [
                str(GUNICORN),
                "-c",
                "deploy/gunicorn.conf.py",
                "--workers",
                str(self.web_workers),
                "--access-logfile",
                str(self.var_dir / f"access{suffix}.log"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.server_log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes = [server]
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(
                        "the stack did not start: " + self.server_log.read_text()[-2000:]
                    ) from None
                time.sleep(0.1)
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_jobs"],
                cwd=ROOT,
                env=self.env,
                stdout=(self.var_dir / f"worker{suffix}.log").open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def kill(self, *, server: bool = True, worker: bool = True) -> None:
        """``kill -9`` the worker and/or gunicorn: each whole process group at once (the
        worker's cluster processes; gunicorn's master and every worker), no clean-up."""
        chosen = [(server, self.processes[0]), (worker, self.processes[1])]
        for wanted, process in chosen:
            if wanted and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        for wanted, process in chosen:
            if wanted:
                process.wait(timeout=30)

    def readyz(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(f"{self.base}/readyz", timeout=5) as response:  # noqa: S310
                body: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read())
        return body

    def lag_seconds(self) -> float:
        return float(self.readyz()["checks"]["queue_lag_check"]["lag_seconds"])

    def wait_drained(self, *, timeout: float = 240, settled: bool = True) -> float:
        """Seconds until the worker has caught up (no task due, no outbox row waiting) and,
        with ``settled``, every back-end call is settled (a challan waits for the treasury's
        confirmation and the minute's poll)."""
        started = time.monotonic()
        while self.lag_seconds() > 0 or (settled and not _queue_empty(self.env)):
            if time.monotonic() - started > timeout:
                raise RuntimeError("the worker did not drain the queue in time")
            time.sleep(0.25)
        return time.monotonic() - started

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _queue_empty(env: dict[str, str]) -> bool:
    result = _child(env, "--state")
    return bool(json.loads(result)["drained"])


def _child(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own module, fixed argv
        [sys.executable, "-m", "bench.loadtest_stack", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return result.stdout


def verify(env: dict[str, str]) -> dict[str, Any]:
    """After the load: both checks, the queue and the outbox, as one dict (``ok`` says all)."""
    checks: dict[str, Any] = {}
    for command in ("ledger_check", "transparency_check"):
        result = manage(env, command)
        checks[command] = result.returncode == 0
        if result.returncode != 0:
            checks[command + "_output"] = (result.stdout + result.stderr)[-1500:]
    checks.update(json.loads(_child(env, "--state")))
    checks["ok"] = all(
        checks[name]
        for name in (
            "ledger_check",
            "transparency_check",
            "drained",
            "notifications_once",
            "calls_settled",
            "holds_once",
        )
    )
    return checks


# --- children (Django set up on the stack's database) -------------------------------------


def _fixtures(path: Path, *, light: bool) -> None:
    import importlib

    from sahayata.catalogue.models import Service, ServiceVersion
    from sahayata.people.models import Role, User
    from sahayata.people.tokens import api_token_create
    from sahayata.wallet.services import topup_approve, topup_request

    if light:
        for name in LIGHT_DEMO:
            importlib.import_module(name).seed_demo(stdout=open(os.devnull, "w"), quiet=True)  # noqa: SIM115
    finance = User.objects.filter(role=Role.FINANCE, is_active=True).order_by("pk").first()
    if not (finance is not None):
        raise RuntimeError("the demo data has no finance officer")
    operators = list(
        User.objects.filter(role=Role.OPERATOR, is_active=True, centre__is_active=True)
        .select_related("centre")
        .order_by("centre__code", "username")
    )
    by_centre: dict[str, User] = {}
    for operator in operators:
        if not (operator.centre is not None):
            raise RuntimeError("an operator without a centre")
        by_centre.setdefault(operator.centre.code, operator)
    chosen = list(by_centre.values())[:CENTRES]
    for n, operator in enumerate(chosen):
        if not (operator.centre is not None):
            raise RuntimeError("an operator without a centre")
        topup = topup_request(
            centre=operator.centre,
            amount_paise=TOPUP_PAISE,
            bank_reference=f"LOADTEST{n:04d}{secrets.token_hex(4)}",
            requested_by=operator,
        )
        topup_approve(topup_id=topup.pk, approved_by=finance)

    def example_fields(code: str) -> dict[str, Any]:
        service = Service.objects.get(code=code)
        version = ServiceVersion.objects.filter(service=service).order_by("-version").first()
        if not (version is not None):
            raise RuntimeError("version is not None")
        return {
            f["name"]: int(f["example"]) if f["type"] == "paise" else f["example"]
            for f in version.definition.get("form_fields", [])
        }

    land = Service.objects.get(code="land_mutation")
    free = next(
        s
        for s in Service.objects.filter(is_active=True).order_by("code")
        if not s.fee_heads.exists() and not s.adapter_code
    )
    officers = {  # every officer of the department: who verified may not approve
        code: list(User.objects.filter(role=Role.OFFICER, department__code=code).order_by("pk"))
        for code in {land.department.code, free.department.code}
    }
    data = {
        "operators": [
            {"token": api_token_create(user=op), "centre_code": op.centre.code}  # type: ignore[union-attr]
            for op in chosen
        ],
        "finance_token": api_token_create(user=finance),
        "officer_tokens": {
            code: [api_token_create(user=user) for user in users]
            for code, users in officers.items()
        },
        "paid": {
            "code": land.code,
            "department": land.department.code,
            "fields": example_fields(land.code),
        },
        "free": {
            "code": free.code,
            "department": free.department.code,
            "fields": example_fields(free.code),
        },
        "bill": {"code": "electricity_bill", "fields": example_fields("electricity_bill")},
    }
    path.write_text(json.dumps(data, default=str))


def _state() -> dict[str, Any]:
    from django.db.models import Count
    from django_q.models import OrmQ

    from sahayata.integrations.models import AdapterCall
    from sahayata.integrations.selectors import OPEN_STATES
    from sahayata.notifications.models import Notification
    from sahayata.transparency.models import RollupEvent

    open_calls = AdapterCall.objects.filter(state__in=OPEN_STATES).count()
    waiting_events = RollupEvent.objects.count()
    pending = Notification.objects.filter(status=Notification.Status.PENDING).count()
    tries = dict(Notification.objects.values_list("attempts").annotate(n=Count("pk")))
    due_tasks = OrmQ.objects.count()
    return {
        "drained": due_tasks == 0 and waiting_events == 0 and pending == 0 and open_calls == 0,
        "tasks_waiting": due_tasks,
        "rollup_events_waiting": waiting_events,
        "notifications_pending": pending,
        "notifications_sent": Notification.objects.filter(status="sent").count(),
        # Sent once each: every sent row was claimed and sent in one attempt.
        "notifications_once": pending == 0 and set(tries) <= {1},
        "adapter_calls": AdapterCall.objects.count(),
        "calls_settled": open_calls == 0,
        # Money moved twice would be a second hold for one fee line of an application (a
        # hold resolved twice is refused by the database and reported by ledger_check).
        "holds_once": not _holds_beyond_fee_lines(),
    }


def _holds_beyond_fee_lines() -> bool:
    from django.db.models import Count, F, OuterRef, Subquery

    from sahayata.applications.models import Application, ApplicationFee
    from sahayata.wallet.models import Transfer, TransferKind

    holds = (
        Transfer.objects.filter(kind=TransferKind.PENDING, reference=OuterRef("number"))
        .values("reference")
        .annotate(n=Count("pk"))
        .values("n")
    )
    lines = (
        ApplicationFee.objects.filter(application=OuterRef("pk"))
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Application.objects.annotate(holds=Subquery(holds), lines=Subquery(lines))
        .filter(holds__gt=F("lines"))
        .exists()
    )


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "--fixtures":
        _fixtures(Path(sys.argv[2]), light="--light" in sys.argv)
    elif sys.argv[1] == "--state":
        print(json.dumps(_state()))
