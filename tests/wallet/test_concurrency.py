"""Real threads against real PostgreSQL: exactly one effect per id, no overdraw, no deadlock."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from sahayata.core.ids import uuid7
from sahayata.wallet.errors import WalletError
from sahayata.wallet.ledger import ledger_check
from sahayata.wallet.models import Account, AccountKind, TopUp, Transfer
from sahayata.wallet.selectors import account_totals, wallet_balance
from sahayata.wallet.services import (
    TransferSpec,
    holds_expire,
    payee_account,
    system_account,
    topup_approve,
    transfer_post,
    transfer_void,
    transfers_create,
)
from tests.factories.catalogue import DepartmentFactory
from tests.factories.people import UserFactory
from tests.factories.wallet import TopUpFactory, funded_wallet

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(workers: int, job: Callable[[int], list[str]]) -> list[str]:
    """Run ``job(worker_no)`` in ``workers`` threads that start together; collect results."""
    barrier = threading.Barrier(workers)

    def run(worker_no: int) -> list[str]:
        try:
            barrier.wait()
            return job(worker_no)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, range(workers)))
    close_old_connections()
    return [item for result in results for item in result]


def outcome(call: Callable[[], object]) -> str:
    try:
        call()
    except WalletError as error:
        return error.code
    return "ok"


def test_sixteen_workers_retrying_the_same_ids_have_one_effect_each() -> None:
    wallet = funded_wallet(amount_paise=1_000_000)
    treasury = system_account(kind=AccountKind.TREASURY)
    department = payee_account(payee="department", department=DepartmentFactory())
    hold_ids = [uuid7() for _ in range(30)]
    post_ids = {hold_id: uuid7() for hold_id in hold_ids[:15]}
    void_ids = {hold_id: uuid7() for hold_id in hold_ids[15:]}

    def job(worker_no: int) -> list[str]:
        rng = random.Random(worker_no)
        order = hold_ids[:]
        rng.shuffle(order)
        results = []
        for index, hold_id in enumerate(order):
            payee = treasury if index % 2 else department
            spec = TransferSpec(hold_id, wallet.pk, payee.pk, 1_000, "service_fee", "R", True)
            result = outcome(lambda spec=spec: transfers_create(specs=[spec]))
            if result == "transfer_exists_with_different_fields":
                # The other payee won the race for this id: a retry must repeat it exactly.
                other = treasury if payee is department else department
                spec = TransferSpec(hold_id, wallet.pk, other.pk, 1_000, "service_fee", "R", True)
                result = outcome(lambda spec=spec: transfers_create(specs=[spec]))
            results.append(result)
            if hold_id in post_ids:
                results.append(
                    outcome(lambda h=hold_id: transfer_post(id=post_ids[h], pending_id=h))
                )
            else:
                results.append(
                    outcome(lambda h=hold_id: transfer_void(id=void_ids[h], pending_id=h))
                )
        return results

    results = in_threads(16, job)
    assert set(results) == {"ok"}, Counter(results)
    assert Transfer.objects.filter(kind="pending").count() == 30
    assert Transfer.objects.filter(kind="post_pending").count() == 15
    assert Transfer.objects.filter(kind="void_pending").count() == 15
    balance = wallet_balance(account=Account.objects.get(pk=wallet.pk))
    assert (balance.balance_paise, balance.held_paise) == (1_000_000 - 15_000, 0)
    assert ledger_check() == []


def test_concurrent_holds_never_overdraw_a_wallet() -> None:
    wallet = funded_wallet(amount_paise=100_000)
    treasury = system_account(kind=AccountKind.TREASURY)

    def job(worker_no: int) -> list[str]:
        return [
            outcome(
                lambda: transfers_create(
                    specs=[
                        TransferSpec(
                            uuid7(), wallet.pk, treasury.pk, 1_000, "service_fee", "", True
                        )
                    ]
                )
            )
            for _ in range(10)
        ]

    results = Counter(in_threads(16, job))
    assert results == {"ok": 100, "insufficient_funds": 60}
    balance = wallet_balance(account=Account.objects.get(pk=wallet.pk))
    assert (balance.held_paise, balance.available_paise) == (100_000, 0)
    assert account_totals(account=treasury).credits_pending == 100_000
    assert ledger_check() == []


def test_wallets_paying_each_other_in_both_orders_do_not_deadlock() -> None:
    first = funded_wallet(amount_paise=1_000_000)
    second = funded_wallet(amount_paise=1_000_000)
    treasury = system_account(kind=AccountKind.TREASURY)
    department = payee_account(payee="department", department=DepartmentFactory())

    def job(worker_no: int) -> list[str]:
        rng = random.Random(worker_no)
        results = []
        for _ in range(25):
            a, b = (first, second) if rng.random() < 0.5 else (second, first)
            legs = [
                TransferSpec(uuid7(), a.pk, b.pk, rng.randint(1, 500), "correction", "x"),
                TransferSpec(uuid7(), b.pk, treasury.pk, rng.randint(1, 50), "service_fee", "x"),
                TransferSpec(uuid7(), a.pk, department.pk, rng.randint(1, 50), "service_fee", "x"),
            ]
            rng.shuffle(legs)
            results.append(outcome(lambda legs=legs: transfers_create(specs=legs)))
        return results

    results = in_threads(8, job)
    assert set(results) == {"ok"}, Counter(results)
    assert Transfer.objects.filter(reference="x").count() == 8 * 25 * 3
    assert ledger_check() == []


def test_concurrent_sweepers_void_each_expired_hold_once() -> None:
    wallet = funded_wallet(amount_paise=100_000)
    treasury = system_account(kind=AccountKind.TREASURY)
    transfers_create(
        specs=[
            TransferSpec(uuid7(), wallet.pk, treasury.pk, 100, "service_fee", "", True, 60)
            for _ in range(40)
        ]
    )
    later = timezone.now() + timedelta(seconds=61)

    def job(worker_no: int) -> list[str]:
        return [str(holds_expire(now=later, limit=7)) for _ in range(8)]

    voided = sum(int(n) for n in in_threads(6, job))
    assert voided == 40
    assert Transfer.objects.filter(code="expiry").count() == 40
    assert wallet_balance(account=Account.objects.get(pk=wallet.pk)).available_paise == 100_000
    assert ledger_check() == []


def test_two_finance_officers_approving_at_once_credit_once() -> None:
    topup = TopUpFactory(amount_paise=70_000)
    officers = [UserFactory(role="finance") for _ in range(8)]

    def job(worker_no: int) -> list[str]:
        return [outcome(lambda: topup_approve(topup_id=topup.id, approved_by=officers[worker_no]))]

    results = Counter(in_threads(8, job))
    assert results == {"ok": 1, "topup_not_pending": 7}
    assert TopUp.objects.get(pk=topup.pk).status == "credited"
    wallet = Account.objects.get(centre=topup.centre)
    assert wallet_balance(account=wallet).balance_paise == 70_000
    assert ledger_check() == []


def test_many_first_payments_create_one_payee_account() -> None:
    department = DepartmentFactory()

    def job(worker_no: int) -> list[str]:
        return [str(payee_account(payee="department", department=department).pk)]

    assert len(set(in_threads(8, job))) == 1
    assert Account.objects.filter(department=department).count() == 1


def test_a_lock_on_the_treasury_row_does_not_stop_payments_into_it() -> None:
    """The naive design's lock (an UPDATE of the treasury's row) is held open by another
    transaction; payments into the treasury still go through, because they never take it."""
    treasury = system_account(kind=AccountKind.TREASURY)
    wallet = funded_wallet(amount_paise=10_000)
    locked = threading.Event()
    release = threading.Event()

    def hold_the_treasury_row() -> None:
        try:
            with transaction.atomic():
                Account.objects.filter(pk=treasury.pk).update(kind=treasury.kind)
                locked.set()
                assert release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_treasury_row)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        for _ in range(20):
            transfers_create(
                specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 100, "service_fee", "L")]
            )
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert account_totals(account=treasury).credits_posted == 2_000
