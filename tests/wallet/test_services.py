"""The ledger services: transfers, holds, posts, voids, expiry, idempotency, bad input."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sahayata.core.ids import uuid7
from sahayata.wallet import errors
from sahayata.wallet.models import Account, AccountKind, HoldTimeout, Transfer, TransferCode
from sahayata.wallet.selectors import (
    account_totals,
    hold_state,
    wallet_balance,
    wallets_available,
)
from sahayata.wallet.services import (
    PostSpec,
    TransferSpec,
    VoidSpec,
    holds_expire,
    payee_account,
    system_account,
    transfer_post,
    transfer_void,
    transfers_apply,
    transfers_create,
    transfers_create_batch,
)
from tests.factories.catalogue import DepartmentFactory
from tests.factories.wallet import funded_wallet

pytestmark = pytest.mark.django_db


def hold(wallet: Account, payee: Account, amount: int, **extra: object) -> Transfer:
    spec = TransferSpec(
        id=extra.pop("id", None) or uuid7(),  # type: ignore[arg-type]
        debit_account_id=wallet.pk,
        credit_account_id=payee.pk,
        amount_paise=amount,
        code=TransferCode.SERVICE_FEE,
        reference="APP-1",
        pending=True,
        **extra,  # type: ignore[arg-type]
    )
    return transfers_create(specs=[spec])[0]


def snapshot(*accounts: Account) -> list[tuple[int, int, int, int]]:
    result = []
    for account in accounts:
        totals = account_totals(account=account)
        result.append(
            (
                totals.debits_posted,
                totals.credits_posted,
                totals.debits_pending,
                totals.credits_pending,
            )
        )
    return result


def test_hold_then_post_moves_money_to_the_payee(wallet: Account, treasury: Account) -> None:
    held = hold(wallet, treasury, 30_000)
    assert wallet_balance(account=wallet).available_paise == 70_000
    assert wallet_balance(account=wallet).held_paise == 30_000
    assert hold_state(pending_id=held.id) == "held"

    posted = transfer_post(id=uuid7(), pending_id=held.id)
    assert posted.amount_paise == 30_000
    balance = wallet_balance(account=wallet)
    assert (balance.balance_paise, balance.held_paise, balance.available_paise) == (
        70_000,
        0,
        70_000,
    )
    totals = account_totals(account=treasury)
    assert (totals.credits_posted, totals.credits_pending) == (30_000, 0)
    assert hold_state(pending_id=held.id) == "posted"


def test_partial_post_releases_the_rest(wallet: Account, treasury: Account) -> None:
    held = hold(wallet, treasury, 30_000)
    transfer_post(id=uuid7(), pending_id=held.id, amount_paise=12_000)
    balance = wallet_balance(account=wallet)
    assert (balance.balance_paise, balance.held_paise) == (88_000, 0)
    assert account_totals(account=treasury).credits_posted == 12_000


def test_void_gives_the_money_back(wallet: Account, treasury: Account) -> None:
    held = hold(wallet, treasury, 30_000)
    transfer_void(id=uuid7(), pending_id=held.id)
    balance = wallet_balance(account=wallet)
    assert (balance.balance_paise, balance.held_paise, balance.available_paise) == (
        100_000,
        0,
        100_000,
    )
    assert account_totals(account=treasury).credits_pending == 0
    assert hold_state(pending_id=held.id) == "voided"


def test_hold_beyond_available_is_refused_and_changes_nothing(
    wallet: Account, treasury: Account
) -> None:
    hold(wallet, treasury, 60_000)
    before = snapshot(wallet, treasury)
    count = Transfer.objects.count()
    with pytest.raises(errors.InsufficientFunds) as caught:
        hold(wallet, treasury, 40_001)
    assert caught.value.code == "insufficient_funds"
    assert caught.value.status == 409
    assert snapshot(wallet, treasury) == before
    assert Transfer.objects.count() == count


def test_linked_legs_commit_or_fail_together(wallet: Account, treasury: Account) -> None:
    department = payee_account(payee="department", department=DepartmentFactory())
    before = snapshot(wallet, treasury, department)
    specs = [
        TransferSpec(uuid7(), wallet.pk, department.pk, 50_000, "service_fee", "A", True),
        TransferSpec(uuid7(), wallet.pk, treasury.pk, 50_001, "service_fee", "A", True),
    ]
    with pytest.raises(errors.InsufficientFunds):
        transfers_create(specs=specs)
    assert snapshot(wallet, treasury, department) == before
    assert not Transfer.objects.filter(id__in=[s.id for s in specs]).exists()

    ok = [specs[0], TransferSpec(uuid7(), wallet.pk, treasury.pk, 50_000, "service_fee", "A", True)]
    created = transfers_create(specs=ok)
    assert [t.id for t in created] == [s.id for s in ok]
    assert wallet_balance(account=wallet).available_paise == 0


def test_retry_with_same_id_returns_the_original(wallet: Account, treasury: Account) -> None:
    transfer_id = uuid7()
    first = hold(wallet, treasury, 10_000, id=transfer_id)
    again = hold(wallet, treasury, 10_000, id=transfer_id)
    assert again.id == first.id
    assert wallet_balance(account=wallet).held_paise == 10_000
    with pytest.raises(errors.TransferExists) as caught:
        hold(wallet, treasury, 10_001, id=transfer_id)
    assert caught.value.code == "transfer_exists_with_different_fields"
    assert caught.value.details["fields"] == ["amount_paise"]


def test_post_and_void_are_idempotent_and_exactly_once(wallet: Account, treasury: Account) -> None:
    held = hold(wallet, treasury, 10_000)
    post_id = uuid7()
    transfer_post(id=post_id, pending_id=held.id)
    assert transfer_post(id=post_id, pending_id=held.id).id == post_id  # a retry
    before = snapshot(wallet, treasury)
    with pytest.raises(errors.HoldAlreadyResolved):
        transfer_post(id=uuid7(), pending_id=held.id)
    with pytest.raises(errors.HoldAlreadyResolved):
        transfer_void(id=uuid7(), pending_id=held.id)
    with pytest.raises(errors.TransferExists):
        transfer_post(id=post_id, pending_id=held.id, amount_paise=5)
    assert snapshot(wallet, treasury) == before


def test_post_more_than_the_hold_is_refused(wallet: Account, treasury: Account) -> None:
    held = hold(wallet, treasury, 10_000)
    before = snapshot(wallet, treasury)
    with pytest.raises(errors.PostExceedsHold) as caught:
        transfer_post(id=uuid7(), pending_id=held.id, amount_paise=10_001)
    assert caught.value.status == 409
    assert snapshot(wallet, treasury) == before
    assert hold_state(pending_id=held.id) == "held"


def test_unknown_hold(wallet: Account) -> None:
    with pytest.raises(errors.HoldNotFound) as caught:
        transfer_post(id=uuid7(), pending_id=uuid7())
    assert caught.value.status == 404
    # A single transfer is not a hold.
    single = transfers_create(
        specs=[TransferSpec(uuid7(), wallet.pk, system_account(kind="refunds").pk, 5, "refund")]
    )[0]
    with pytest.raises(errors.HoldNotFound):
        transfer_void(id=uuid7(), pending_id=single.id)


def test_post_after_expiry_is_refused_and_the_sweeper_voids(
    wallet: Account, treasury: Account
) -> None:
    held = hold(wallet, treasury, 10_000, timeout_seconds=60)
    assert HoldTimeout.objects.filter(hold_id=held.id).exists()
    later = timezone.now() + timedelta(seconds=61)
    assert holds_expire(now=timezone.now()) == 0

    before = snapshot(wallet, treasury)
    outcome = transfers_apply(ops=[PostSpec(uuid7(), held.id)], now=later)[0]
    assert isinstance(outcome.error, errors.HoldExpired)
    assert snapshot(wallet, treasury) == before

    assert holds_expire(now=later) == 1
    assert holds_expire(now=later) == 0  # repeatable
    assert not HoldTimeout.objects.filter(hold_id=held.id).exists()
    assert wallet_balance(account=wallet).available_paise == 100_000
    with pytest.raises(errors.HoldExpired):
        transfer_post(id=uuid7(), pending_id=held.id)
    with pytest.raises(errors.HoldExpired):
        transfer_void(id=uuid7(), pending_id=held.id)


def test_post_after_timeout_before_the_sweeper_is_refused(
    wallet: Account, treasury: Account
) -> None:
    held = hold(wallet, treasury, 10_000, timeout_seconds=1)
    outcome = transfers_apply(
        ops=[PostSpec(uuid7(), held.id)], now=held.created_at + timedelta(seconds=2)
    )[0]
    assert isinstance(outcome.error, errors.HoldExpired)
    assert outcome.transfer is None
    assert hold_state(pending_id=held.id) == "held"


BAD_AMOUNTS = [0, -1, 1.5, 10**15 + 1, True, "100", None]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_bad_amounts_are_refused_and_change_nothing(
    wallet: Account, treasury: Account, amount: object
) -> None:
    before = snapshot(wallet, treasury)
    count = Transfer.objects.count()
    with pytest.raises(errors.InvalidAmount) as caught:
        transfers_create(
            specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, amount, "service_fee")]  # type: ignore[arg-type]
        )
    assert caught.value.status == 422
    assert snapshot(wallet, treasury) == before
    assert Transfer.objects.count() == count


def test_amount_at_the_maximum_is_accepted_where_funds_allow(treasury: Account) -> None:
    wallet = funded_wallet(amount_paise=10**15)
    hold(wallet, treasury, 10**15)
    assert wallet_balance(account=wallet).available_paise == 0


def test_unknown_accounts_and_bad_shapes(wallet: Account, treasury: Account) -> None:
    with pytest.raises(errors.AccountNotFound) as caught:
        transfers_create(specs=[TransferSpec(uuid7(), wallet.pk, 999_999, 5, "service_fee")])
    assert caught.value.status == 404
    with pytest.raises(errors.InvalidTransfer):
        transfers_create(specs=[TransferSpec(uuid7(), wallet.pk, wallet.pk, 5, "service_fee")])
    with pytest.raises(errors.InvalidTransfer):
        transfers_create(specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 5, "bogus")])
    with pytest.raises(errors.InvalidTransfer):
        transfers_create(specs=[TransferSpec("x", wallet.pk, treasury.pk, 5, "topup")])  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidTransfer):  # only holds time out
        transfers_create(
            specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 5, "refund", timeout_seconds=5)]
        )
    assert wallet_balance(account=wallet).balance_paise == 100_000


def test_database_refuses_an_overdrawn_wallet(wallet: Account) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=wallet.pk).update(debits_posted=100_001)


def test_database_refuses_zero_amount_transfers(wallet: Account, treasury: Account) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            id=uuid.uuid4(),
            kind="single",
            debit_account=wallet,
            credit_account=treasury,
            amount_paise=0,
            code="refund",
            created_at=timezone.now(),
        )


def test_batch_applies_independent_operations(wallet: Account, treasury: Account) -> None:
    held = hold(wallet, treasury, 10_000)
    ops = [
        TransferSpec(uuid7(), wallet.pk, treasury.pk, 20_000, "service_fee", "B1", True),
        TransferSpec(uuid7(), wallet.pk, treasury.pk, 80_000, "service_fee", "B2", True),  # short
        PostSpec(uuid7(), held.id),
        VoidSpec(uuid7(), held.id),  # already posted above
    ]
    outcomes = transfers_apply(ops=ops)
    assert [o.error.code if o.error else "ok" for o in outcomes] == [
        "ok",
        "insufficient_funds",
        "ok",
        "hold_already_resolved",
    ]
    balance = wallet_balance(account=wallet)
    assert (balance.balance_paise, balance.held_paise) == (90_000, 20_000)

    with pytest.raises(errors.TransfersRejected) as caught:
        transfers_create_batch(specs=[*ops[1:2], PostSpec(uuid7(), ops[0].id)])
    assert caught.value.details["failed"] == [{"index": 0, "code": "insufficient_funds"}]
    assert wallet_balance(account=wallet).held_paise == 20_000  # nothing written


def test_batch_can_resolve_a_hold_made_in_the_same_batch(
    wallet: Account, treasury: Account
) -> None:
    hold_id = uuid7()
    created = transfers_create_batch(
        specs=[
            TransferSpec(hold_id, wallet.pk, treasury.pk, 7_000, "service_fee", "C", True),
            PostSpec(uuid7(), hold_id, 5_000),
        ]
    )
    assert [t.kind for t in created] == ["pending", "post_pending"]
    assert wallet_balance(account=wallet).balance_paise == 95_000


def test_payee_accounts_are_hot_and_unique(db: None) -> None:
    department = DepartmentFactory()
    first = payee_account(payee="department", department=department)
    assert first.hot and first.kind == AccountKind.DEPARTMENT_RECEIVABLE
    assert payee_account(payee="department", department=department) == first
    biller = payee_account(payee="biller", adapter_code="wbsedcl")
    assert biller.code == "BILLER-wbsedcl"
    assert payee_account(payee="treasury").kind == AccountKind.TREASURY
    assert first.stripes.count() == 16
    with pytest.raises(errors.InvalidTransfer):
        payee_account(payee="department")
    with pytest.raises(errors.InvalidTransfer):
        payee_account(payee="nobody")


def test_hot_accounts_keep_their_counters_in_stripes(wallet: Account, treasury: Account) -> None:
    for _ in range(30):
        transfers_create(
            specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 100, "service_fee", "S")]
        )
    treasury.refresh_from_db()
    assert (treasury.credits_posted, treasury.debits_posted) == (0, 0)  # the row is untouched
    stripes = list(treasury.stripes.values_list("credits_posted", flat=True))
    assert sum(stripes) == 3_000
    assert sum(1 for value in stripes if value) > 1  # spread over several stripes
    assert account_totals(account=treasury).credits_posted == 3_000


def test_wallet_sweep_command(wallet: Account, treasury: Account) -> None:
    from io import StringIO

    from django.core.management import call_command

    held = hold(wallet, treasury, 10_000, timeout_seconds=1)
    out = StringIO()
    call_command("wallet_sweep", stdout=out)
    assert "Voided 0" in out.getvalue()  # not due yet
    assert hold_state(pending_id=held.id) == "held"
    assert holds_expire(now=held.created_at + timedelta(seconds=2)) == 1
    assert hold_state(pending_id=held.id) == "voided"


def test_statement_running_balance_and_daily_closing(wallet: Account, treasury: Account) -> None:
    from sahayata.wallet.selectors import wallet_daily_balances, wallet_statement

    held = hold(wallet, treasury, 30_000)
    transfer_post(id=uuid7(), pending_id=held.id, amount_paise=20_000)
    hold(wallet, treasury, 5_000)  # still held: not on the statement
    today = timezone.localdate()
    entries = wallet_statement(account=wallet, date_from=today, date_to=today)
    assert [(e.kind, e.amount_paise, e.balance_paise) for e in entries] == [
        ("topup", 100_000, 100_000),
        ("service_fee", -20_000, 80_000),
    ]
    days = wallet_daily_balances(account=wallet, date_from=today - timedelta(days=2), date_to=today)
    assert [d.closing_paise for d in days] == [0, 0, 80_000]
    assert (
        wallet_statement(
            account=wallet, date_from=today - timedelta(days=5), date_to=today - timedelta(days=1)
        )
        == []
    )


def test_wallets_available_for_many_wallets_at_once(wallet: Account, treasury: Account) -> None:
    other = funded_wallet(amount_paise=50_000)
    hold(wallet, treasury, 30_000)
    available = wallets_available(account_ids=[wallet.pk, other.pk, treasury.pk, wallet.pk])
    # Held money is not spendable; a hot system account is not a wallet.
    assert available == {
        wallet.pk: wallet_balance(account=wallet).available_paise,
        other.pk: 50_000,
    }
    assert available[wallet.pk] == 70_000
    assert wallets_available(account_ids=[]) == {}
