"""Settling multi-head fees concurrently on PostgreSQL (real threads and connections): no
deadlock between settlements, and a transaction that loses a lock race is run again or
answered with the domain's ``busy``, never with the driver's error."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection, transaction

from sahayata.applications.dispatch import application_settle
from sahayata.applications.models import Application
from sahayata.catalogue.models import Service
from sahayata.core.errors import Busy
from sahayata.integrations.models import AdapterCall
from sahayata.integrations.services import CallReport, Outcome
from sahayata.wallet import engine
from sahayata.wallet.models import AccountKind, AccountStripe
from sahayata.wallet.services import system_account
from tests.factories.applications import counter, submitted, treasury_service
from tests.factories.catalogue import FeeHeadFactory, published

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAIRS = 120


def stamp_duty_service() -> Service:
    """Stamp duty and a registration fee, both to the treasury: two heads, one hot account."""
    service = treasury_service()
    FeeHeadFactory(service=service, code="registration_fee", amount_paise=90_000, position=2)
    return published(service)


def confirm(number: str) -> None:
    call = AdapterCall.objects.get(reference=number)
    application_settle(call=call, report=CallReport(Outcome.CONFIRMED, "GRN-1"))


def test_pairs_of_multi_head_confirmations_never_deadlock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two stripes instead of 16: the hot account as contended as under many times the load,
    # so that a lock-order cycle between two settlements shows within a few hundred pairs.
    monkeypatch.setattr(engine, "STRIPES", 2)
    service = stamp_duty_service()
    left, right = counter(amount_paise=10**10), counter(amount_paise=10**10)
    pairs = [
        (submitted(at=left, service=service).number, submitted(at=right, service=service).number)
        for _ in range(PAIRS)
    ]
    barrier = threading.Barrier(2)

    def settle(side: int) -> list[str]:
        results = []
        try:
            for pair in pairs:
                barrier.wait()
                try:
                    confirm(pair[side])
                    results.append("ok")
                except Exception as error:  # what escapes is what this test is about
                    results.append(f"{type(error).__module__}.{type(error).__name__}")
        finally:
            connection.close()
        return results

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = Counter(result for side in pool.map(settle, (0, 1)) for result in side)
    close_old_connections()
    assert outcomes == {"ok": 2 * PAIRS}
    assert set(Application.objects.values_list("hold", flat=True)) == {"posted"}


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _wait_until_blocked(pid: int, *, timeout: float = 20.0) -> None:
    """Until backend ``pid`` waits for a lock (the condition, polled; bounded)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row is not None and row[0] == "Lock":
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited for a lock")


@pytest.mark.parametrize("inside_a_transaction", [False, True])
def test_a_settlement_that_loses_a_deadlock_is_retried_or_busy(inside_a_transaction: bool) -> None:
    """A rival transaction takes the locks in the other order (every treasury stripe, then
    the centre's wallet), so the settlement is the one PostgreSQL aborts. On its own it is
    run again and succeeds; inside a caller's transaction it is ``busy`` (that caller's
    transaction is aborted and only the caller may run it again)."""
    service = stamp_duty_service()
    at = counter(amount_paise=10**9)
    number = submitted(at=at, service=service).number
    treasury = system_account(kind=AccountKind.TREASURY)
    stripe_ids = list(
        AccountStripe.objects.filter(account=treasury).order_by("pk").values_list("pk", flat=True)
    )
    settler_pid: list[int] = []
    settler_ready, stripes_locked = threading.Event(), threading.Event()

    def rival() -> str:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM wallet_accountstripe WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    [stripe_ids],
                )
                stripes_locked.set()
                settler_ready.wait(timeout=20)
                _wait_until_blocked(settler_pid[0])
                # This side must never be the victim. Both sides share deadlock_timeout (only a
                # superuser may change it, and CI's role is not one); the side whose timer fires
                # first runs the check and is aborted. The settler has been waiting since before
                # the poll saw it; waiting a further half of the default 1 s here keeps its timer
                # first even when the machine is slow to schedule either thread.
                time.sleep(0.5)
                cursor.execute(
                    "SELECT id FROM wallet_account WHERE id = %s FOR UPDATE", [at.wallet.pk]
                )
            return "rival committed"
        finally:
            connection.close()

    def settler() -> str:
        try:
            stripes_locked.wait(timeout=20)
            settler_pid.append(_backend_pid())
            settler_ready.set()
            try:
                if inside_a_transaction:
                    with transaction.atomic():
                        confirm(number)
                else:
                    confirm(number)
            except Busy:
                return "busy"
            except Exception as error:  # the driver's error escaping is the bug
                return f"{type(error).__module__}.{type(error).__name__}"
            return "ok"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        rival_result, settled = pool.submit(rival), pool.submit(settler)
        results = (rival_result.result(timeout=60), settled.result(timeout=60))
    close_old_connections()
    assert results == ("rival committed", "busy" if inside_a_transaction else "ok")
    expected = "held" if inside_a_transaction else "posted"
    assert Application.objects.get(number=number).hold == expected
