"""Property-based: random sequences of top-ups, holds, posts, voids, expiries and retries.

A plain-Python model predicts every outcome; after each step the database must agree with
it, and the ledger's invariants (balances equal their transfers, holds resolved once, no
wallet below zero) must hold.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sahayata.core.ids import uuid7
from sahayata.wallet import ledger
from sahayata.wallet.errors import WalletError
from sahayata.wallet.models import AccountKind
from sahayata.wallet.selectors import wallet_balance
from sahayata.wallet.services import (
    ExpireSpec,
    Operation,
    PostSpec,
    TransferSpec,
    VoidSpec,
    holds_expire,
    payee_account,
    system_account,
    transfers_apply,
    wallet_open,
)
from tests.factories.catalogue import DepartmentFactory
from tests.factories.places import CentreFactory

amounts = st.one_of(
    st.integers(min_value=1, max_value=60_000),
    st.sampled_from([0, -1, 10**15 + 1, 1.5, True, "10"]),
)


@dataclass
class ModelHold:
    wallet: int
    amount: int
    timeout_at: datetime | None
    state: str = "held"  # held, posted, voided, expired


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.clock = timezone.now()
        self.wallets = [wallet_open(centre=CentreFactory()).pk for _ in range(2)]
        self.payees = [
            system_account(kind=AccountKind.TREASURY).pk,
            payee_account(payee="department", department=DepartmentFactory()).pk,
        ]
        self.funding = system_account(kind=AccountKind.FUNDING_BANK).pk
        self.balance = dict.fromkeys(self.wallets, 0)
        self.held = dict.fromkeys(self.wallets, 0)
        self.holds: dict[uuid.UUID, ModelHold] = {}
        self.done: list[tuple[Operation, uuid.UUID]] = []  # successful ops, for retries
        for pk in self.wallets:  # an opening credit, so that holds have money to take
            opening = TransferSpec(uuid7(), self.funding, pk, 100_000, "topup", "opening")
            assert self.apply(opening).created
            self.balance[pk] = 100_000

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def apply(self, op: Operation) -> Any:
        return transfers_apply(ops=[op], now=self.clock)[0]

    @rule(wallet=st.integers(0, 1), amount=amounts)
    def top_up(self, wallet: int, amount: object) -> None:
        pk = self.wallets[wallet]
        op = TransferSpec(uuid7(), self.funding, pk, amount, "topup", "t")  # type: ignore[arg-type]
        outcome = self.apply(op)
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 10**15:
            assert outcome.error is not None and outcome.error.code == "invalid_amount"
            return
        assert outcome.error is None and outcome.created
        self.balance[pk] += amount
        self.done.append((op, outcome.transfer.id))

    @rule(
        wallet=st.integers(0, 1),
        payee=st.integers(0, 1),
        amount=st.integers(1, 40_000),
        timeout=st.sampled_from([None, 30, 600]),
    )
    def hold(self, wallet: int, payee: int, amount: int, timeout: int | None) -> None:
        pk = self.wallets[wallet]
        op = TransferSpec(
            uuid7(), pk, self.payees[payee], amount, "service_fee", "h", True, timeout
        )
        outcome = self.apply(op)
        if amount > self.balance[pk] - self.held[pk]:
            assert outcome.error is not None and outcome.error.code == "insufficient_funds"
            return
        assert outcome.error is None, outcome.error
        self.held[pk] += amount
        timeout_at = (
            None if timeout is None else outcome.transfer.created_at + timedelta(seconds=timeout)
        )
        self.holds[op.id] = ModelHold(pk, amount, timeout_at)
        self.done.append((op, op.id))

    def pick_hold(self) -> st.SearchStrategy[uuid.UUID]:
        """Mostly a live hold (the interesting case), sometimes any hold at all."""
        live = sorted(k for k, hold in self.holds.items() if hold.state == "held")
        every = st.sampled_from(sorted(self.holds))
        return st.one_of(st.sampled_from(live), every) if live else every

    def _expected_resolution_error(self, hold: ModelHold) -> str | None:
        if hold.state == "expired":
            return "hold_expired"
        if hold.state != "held":
            return "hold_already_resolved"
        if hold.timeout_at is not None and hold.timeout_at <= self.clock:
            return "hold_expired"
        return None

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), partial=st.booleans(), extra=st.integers(0, 2))
    def post(self, data: st.DataObject, partial: bool, extra: int) -> None:
        hold_id = data.draw(self.pick_hold())
        hold = self.holds[hold_id]
        amount = None
        if partial:
            amount = data.draw(st.integers(1, hold.amount)) if extra == 0 else hold.amount + extra
        op = PostSpec(uuid7(), hold_id, amount)
        outcome = self.apply(op)
        expected = self._expected_resolution_error(hold)
        if expected is None and amount is not None and amount > hold.amount:
            expected = "post_exceeds_hold"
        if expected is not None:
            assert outcome.error is not None and outcome.error.code == expected
            return
        assert outcome.error is None, outcome.error
        posted = hold.amount if amount is None else amount
        self.held[hold.wallet] -= hold.amount
        self.balance[hold.wallet] -= posted
        hold.state = "posted"
        self.done.append((op, op.id))

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        hold_id = data.draw(self.pick_hold())
        hold = self.holds[hold_id]
        op = VoidSpec(uuid7(), hold_id)
        outcome = self.apply(op)
        expected = self._expected_resolution_error(hold)
        if expected is not None:
            assert outcome.error is not None and outcome.error.code == expected
            return
        assert outcome.error is None
        self.held[hold.wallet] -= hold.amount
        hold.state = "voided"
        self.done.append((op, op.id))

    @rule(seconds=st.sampled_from([10, 31, 700]))
    def time_passes_and_the_sweeper_runs(self, seconds: int) -> None:
        self.clock += timedelta(seconds=seconds)
        expected = 0
        for hold in self.holds.values():
            if (
                hold.state == "held"
                and hold.timeout_at is not None
                and hold.timeout_at <= self.clock
            ):
                hold.state = "expired"
                self.held[hold.wallet] -= hold.amount
                expected += 1
        assert holds_expire(now=self.clock) == expected
        assert holds_expire(now=self.clock) == 0

    @precondition(lambda self: self.done)
    @rule(data=st.data(), change=st.booleans())
    def retry(self, data: st.DataObject, change: bool) -> None:
        op, transfer_id = data.draw(st.sampled_from(self.done))
        if change and isinstance(op, TransferSpec):
            op = TransferSpec(**{**op.__dict__, "reference": op.reference + "x"})
            outcome = self.apply(op)
            assert outcome.error is not None
            assert outcome.error.code == "transfer_exists_with_different_fields"
            return
        outcome = self.apply(op)
        assert outcome.error is None and not outcome.created
        assert outcome.transfer.id == transfer_id

    @rule()
    def expire_a_live_hold_is_refused(self) -> None:
        live = [
            hold_id
            for hold_id, hold in self.holds.items()
            if hold.state == "held" and (hold.timeout_at is None or hold.timeout_at > self.clock)
        ]
        if live:
            outcome = self.apply(ExpireSpec(live[0]))
            assert isinstance(outcome.error, WalletError)

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        for pk in self.wallets:
            from sahayata.wallet.models import Account

            balance = wallet_balance(account=Account.objects.get(pk=pk))
            assert balance.balance_paise == self.balance[pk]
            assert balance.held_paise == self.held[pk]
            assert balance.available_paise >= 0

    @invariant()
    def ledger_invariants_hold(self) -> None:
        violations: list[ledger.Violation] = []
        ledger._check_balances(violations)
        ledger._check_holds(violations)
        assert violations == []


@pytest.mark.django_db
def test_ledger_state_machine() -> None:
    LedgerMachine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    LedgerMachine.TestCase().runTest()


@pytest.mark.django_db
def test_chain_is_intact_after_random_work() -> None:
    wallet = wallet_open(centre=CentreFactory())
    funding = system_account(kind=AccountKind.FUNDING_BANK)
    treasury = system_account(kind=AccountKind.TREASURY)
    transfers_apply(
        ops=[TransferSpec(uuid7(), funding.pk, wallet.pk, 1000, "topup") for _ in range(20)]
    )
    transfers_apply(
        ops=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 7, "service_fee") for _ in range(20)]
    )
    assert ledger.ledger_check() == []
