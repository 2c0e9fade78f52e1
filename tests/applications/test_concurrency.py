"""Numbering and holds under real concurrency (PostgreSQL, threads)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from sahayata.applications.models import Application, NumberCounter
from sahayata.wallet.errors import InsufficientFunds
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import paid_service
from tests.factories.people import CitizenFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_concurrently(work, n: int) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)

    def one(i: int) -> object:
        barrier.wait()
        try:
            return work(i)
        except Exception as exc:  # collected, and asserted on by the caller
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_numbers_are_unique_and_gap_free_under_concurrency() -> None:
    at = counter(amount_paise=10_000_000)
    service = paid_service(amount_paise=1_000)
    citizens = [CitizenFactory() for _ in range(16)]
    results = _run_concurrently(
        lambda i: submitted(at=at, service=service, citizen=citizens[i]).number, 16
    )
    assert all(isinstance(r, str) for r in results), results
    sequences = sorted(int(str(number).rsplit("-", 1)[1]) for number in results)
    assert sequences == list(range(1, 17))
    assert NumberCounter.objects.get(centre=at.centre).last_value == 16


def test_concurrent_holds_never_overspend_and_failures_leave_no_gap() -> None:
    at = counter(amount_paise=10_000)  # room for exactly 5 applications of 2,000
    service = paid_service(amount_paise=2_000)
    citizens = [CitizenFactory() for _ in range(12)]
    results = _run_concurrently(
        lambda i: submitted(at=at, service=service, citizen=citizens[i]).number, 12
    )
    numbers = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(numbers) == 5 and len(refused) == 7, results
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == [1, 2, 3, 4, 5]
    assert Application.objects.count() == 5
    balance = wallet_balance(account=at.wallet)
    assert (balance.held_paise, balance.available_paise) == (10_000, 0)
