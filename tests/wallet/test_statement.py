"""The statement shows every fee's hold, its post to the payee and its refund, with the
running balance, the money held and what is available, on the page and in the CSV."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from sahayata.core.ids import uuid7
from sahayata.wallet.models import Account, AccountKind, TransferCode
from sahayata.wallet.selectors import (
    held_before,
    wallet_balance,
    wallet_statement,
    wallet_statement_lines,
)
from sahayata.wallet.services import (
    PostSpec,
    TransferSpec,
    VoidSpec,
    holds_expire,
    system_account,
    transfer_post,
    transfer_void,
    transfers_apply,
    transfers_create,
)
from tests.factories.people import UserFactory
from tests.factories.wallet import funded_wallet

pytestmark = pytest.mark.django_db


def _hold(wallet: Account, payee: Account, amount: int, number: str, **extra: Any) -> Any:
    spec = TransferSpec(
        id=uuid7(),
        debit_account_id=wallet.pk,
        credit_account_id=payee.pk,
        amount_paise=amount,
        code=TransferCode.SERVICE_FEE,
        reference=number,
        pending=True,
        **extra,
    )
    return transfers_create(specs=[spec])[0]


def _summary(lines: list[Any]) -> list[tuple[str, str, int, int, int, int]]:
    return [
        (
            line.movement,
            line.application_no,
            line.available_change_paise,
            line.held_paise,
            line.balance_paise,
            line.available_paise,
        )
        for line in lines
    ]


def test_lines_for_hold_post_refund_and_expiry(wallet: Account, treasury: Account) -> None:
    paid = _hold(wallet, treasury, 30_000, "BSK-A-2526-000001")
    refunded = _hold(wallet, treasury, 5_000, "BSK-A-2526-000002")
    transfer_post(id=uuid7(), pending_id=paid.id, amount_paise=20_000)  # part: 10,000 back
    transfer_void(id=uuid7(), pending_id=refunded.id)
    expired = _hold(wallet, treasury, 7_000, "BSK-A-2526-000003", timeout_seconds=1)
    _hold(wallet, treasury, 2_500, "BSK-A-2526-000004")  # still held
    assert holds_expire(now=expired.created_at + timedelta(seconds=2)) == 1
    today = timezone.localdate()
    lines = wallet_statement_lines(account=wallet, date_from=today, date_to=today)
    assert _summary(lines) == [
        ("credit", "", 100_000, 0, 100_000, 100_000),
        ("hold", "BSK-A-2526-000001", -30_000, 30_000, 100_000, 70_000),
        ("hold", "BSK-A-2526-000002", -5_000, 35_000, 100_000, 65_000),
        ("post", "BSK-A-2526-000001", 10_000, 5_000, 80_000, 75_000),
        ("refund", "BSK-A-2526-000002", 5_000, 0, 80_000, 80_000),
        ("hold", "BSK-A-2526-000003", -7_000, 7_000, 80_000, 73_000),
        ("hold", "BSK-A-2526-000004", -2_500, 9_500, 80_000, 70_500),
        ("expiry", "BSK-A-2526-000003", 7_000, 2_500, 80_000, 77_500),
    ]
    now = wallet_balance(account=wallet)
    assert (lines[-1].balance_paise, lines[-1].held_paise) == (now.balance_paise, now.held_paise)
    # The posted-only statement (the JSON API) is the lines that moved the balance.
    assert [
        (e.kind, e.amount_paise, e.balance_paise)
        for e in wallet_statement(account=wallet, date_from=today, date_to=today)
    ] == [("topup", 100_000, 100_000), ("service_fee", -20_000, 80_000)]
    # The payee's side of the post is named by its kind, never its code.
    with translation.override("en"):
        assert "State treasury" in lines[3].description()


def test_money_held_across_the_start_of_the_range(wallet: Account, treasury: Account) -> None:
    yesterday = timezone.now() - timedelta(days=1)
    spec = TransferSpec(uuid7(), wallet.pk, treasury.pk, 12_000, "service_fee", "BSK-B-1", True)
    transfers_apply(ops=[spec], now=yesterday)
    transfers_apply(ops=[VoidSpec(id=uuid7(), pending_id=spec.id)])
    today = timezone.localdate()
    assert held_before(account=wallet, moment=timezone.now() - timedelta(hours=1)) >= 0
    lines = wallet_statement_lines(account=wallet, date_from=today, date_to=today)
    refund = lines[-1]
    assert (refund.movement, refund.held_paise, refund.available_paise) == ("refund", 0, 100_000)


def test_running_figures_match_the_ledger_after_random_operations(
    wallet: Account, treasury: Account
) -> None:
    chooser = random.Random(20261202)
    open_holds: list[Any] = []
    today = timezone.localdate()
    for step in range(60):
        action = chooser.choice(["hold", "hold", "post", "void"])
        if action == "hold" or not open_holds:
            amount = chooser.randint(1, 3_000)
            if wallet_balance(account=wallet).available_paise >= amount:
                open_holds.append(_hold(wallet, treasury, amount, f"BSK-R-{step}"))
            continue
        hold = open_holds.pop(chooser.randrange(len(open_holds)))
        if action == "post":
            part = chooser.randint(1, hold.amount_paise)
            transfers_apply(ops=[PostSpec(id=uuid7(), pending_id=hold.id, amount_paise=part)])
        else:
            transfers_apply(ops=[VoidSpec(id=uuid7(), pending_id=hold.id)])
        lines = wallet_statement_lines(account=wallet, date_from=today, date_to=today)
        now = wallet_balance(account=wallet)
        assert (lines[-1].balance_paise, lines[-1].held_paise, lines[-1].available_paise) == (
            now.balance_paise,
            now.held_paise,
            now.available_paise,
        )
        running = 0
        for line in lines:
            running += line.available_change_paise
            assert running == line.available_paise


def test_statement_page_and_csv_show_each_line_in_both_languages(client: Client) -> None:
    wallet = funded_wallet(amount_paise=100_000)
    treasury = system_account(kind=AccountKind.TREASURY)
    paid = _hold(wallet, treasury, 30_000, "BSK-C-2526-000001")
    refunded = _hold(wallet, treasury, 4_500, "BSK-C-2526-000002")
    transfer_post(id=uuid7(), pending_id=paid.id)
    transfer_void(id=uuid7(), pending_id=refunded.id)
    operator = UserFactory(role="operator", centre=wallet.centre)
    client.force_login(operator)
    client.cookies["django_language"] = "en"
    english = client.get("/wallet/statement/").content.decode()
    assert "Fee held for application BSK-C-2526-000002" in english
    assert "Fee of application BSK-C-2526-000001 paid to the payee (State treasury)" in english
    assert "Fee of application BSK-C-2526-000002 refunded to the wallet" in english
    client.cookies["django_language"] = "bn"
    bengali = client.get("/wallet/statement/").content.decode()
    assert "BSK-C-2526-000002 আবেদনের ফি ওয়ালেটে ফেরত" in bengali
    assert "₹৭০০.০০" in bengali  # balance and available after the refund
    rows = list(
        csv.DictReader(io.StringIO(client.get("/wallet/statement/?format=csv").content.decode()))
    )
    assert [
        (r["entry"], r["application_no"], r["amount_paise"], r["held_paise"], r["available_paise"])
        for r in rows
    ] == [
        ("refund", "BSK-C-2526-000002", "0", "0", "70000"),
        ("post", "BSK-C-2526-000001", "-30000", "4500", "65500"),
        ("hold", "BSK-C-2526-000002", "0", "34500", "65500"),
        ("hold", "BSK-C-2526-000001", "0", "30000", "70000"),
        ("credit", "", "100000", "0", "100000"),
    ]
    assert (
        rows[0]["description_en"] == "Fee of application BSK-C-2526-000002 refunded to the wallet"
    )
    assert "ফেরত" in rows[0]["description_bn"]
