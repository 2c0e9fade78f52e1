"""Racing clients against real PostgreSQL, through the HTTP API only: many threads, each
with its own test ``Client`` (and so its own database connection), released together."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from sahayata.applications.models import Application, HoldState
from sahayata.people.models import Role
from sahayata.people.tokens import api_token_create
from sahayata.wallet.models import TopUp
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import counter
from tests.factories.catalogue import paid_service
from tests.factories.people import UserFactory
from tests.hostile.conftest import API, World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Reply = tuple[int, Any]


def race(n: int, request: Callable[[int, Client], Any]) -> list[Reply]:
    """Run ``request(i, client)`` in ``n`` threads released at once; (status, json) each."""
    barrier = threading.Barrier(n)

    def one(i: int) -> Reply:
        client = Client()
        barrier.wait()
        try:
            response = request(i, client)
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def post(client: Client, path: str, body: Any, token: str, key: str) -> Any:
    return client.post(
        f"{API}{path}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def codes(replies: list[Reply]) -> Counter[Any]:
    return Counter(
        (status, body["error"]["code"] if "error" in body else "ok") for status, body in replies
    )


def test_same_topup_same_key_sixteen_times_is_one_topup(world: World) -> None:
    body = {"amount_paise": 250_000, "bank_reference": "UTRRACE0001"}
    path = f"/centres/{world.centre_code}/wallet/topups"
    token = world.tokens["operator"]
    replies = race(16, lambda i, c: post(c, path, body, token, "race-topup-1"))
    assert {status for status, _ in replies} == {201}, codes(replies)
    assert len({json.dumps(b, sort_keys=True) for _, b in replies}) == 1  # the same body
    assert TopUp.objects.filter(bank_reference="UTRRACE0001").count() == 1


def test_same_key_with_different_bodies_one_wins_the_rest_are_told_reused(world: World) -> None:
    path = f"/centres/{world.centre_code}/wallet/topups"
    token = world.tokens["operator"]
    replies = race(
        8,
        lambda i, c: post(
            c, path, {"amount_paise": 1_000 + i, "bank_reference": f"UTRDIFF{i:04d}"}, token, "k"
        ),
    )
    assert codes(replies) == Counter({(201, "ok"): 1, (409, "idempotency_key_reused"): 7})
    assert TopUp.objects.filter(bank_reference__startswith="UTRDIFF").count() == 1


def test_two_finance_officers_approving_at_once_credit_once(world: World) -> None:
    wallet = world.wallets[0]
    before = wallet_balance(account=wallet).balance_paise
    tokens = [world.tokens["finance"], world.tokens["finance2"]]
    path = f"/topups/{world.topup_id}/approve"
    replies = race(8, lambda i, c: post(c, path, {}, tokens[i % 2], f"approve-{i}"))
    assert codes(replies)[(200, "ok")] == 1, codes(replies)
    assert all(s == 409 for s, _ in replies if s != 200), codes(replies)
    assert wallet_balance(account=wallet).balance_paise == before + 100_000
    assert TopUp.objects.get(pk=world.topup_id).status == "credited"
    call_command("ledger_check", verbosity=0)


def test_approve_and_reject_of_one_application_at_once_one_wins(world: World) -> None:
    wallet = world.wallets[0]
    before = wallet_balance(account=wallet)
    token = world.tokens["officer"]
    path = f"/applications/{world.application_no}/actions"
    actions = ["approve", "reject"] * 4
    replies = race(
        8,
        lambda i, c: post(c, path, {"action": actions[i], "comment": "race"}, token, f"act-{i}"),
    )
    winners = [(actions[i], body) for i, (status, body) in enumerate(replies) if status == 200]
    assert len(winners) == 1, codes(replies)
    assert all(s == 409 for s, _ in replies if s != 200), codes(replies)
    application = Application.objects.get(number=world.application_no)
    after = wallet_balance(account=wallet)
    assert after.held_paise == before.held_paise - application.fee_paise  # released once
    if winners[0][0] == "approve":
        assert application.hold == HoldState.POSTED
        assert after.balance_paise == before.balance_paise - application.fee_paise
    else:
        assert application.hold == HoldState.VOIDED
        assert after.balance_paise == before.balance_paise
    call_command("ledger_check", verbosity=0)


def test_operators_of_one_centre_never_overdraw_its_wallet() -> None:
    at = counter(amount_paise=50_000)  # room for exactly 10 applications of 5,000
    service = paid_service(amount_paise=5_000)
    operators = [at.operator] + [
        UserFactory(role=Role.OPERATOR, centre=at.centre) for _ in range(3)
    ]
    tokens = [api_token_create(user=operator) for operator in operators]

    def submit(i: int, client: Client) -> Any:
        body = {
            "centre_code": at.centre.code,
            "service_code": service.code,
            "citizen": {"name": f"Racer {i}", "mobile": f"98300{i:05d}"},
            "fields": {"plot_no": str(1000 + i)},
        }
        return post(client, "/applications", body, tokens[i % 4], f"submit-{i}")

    replies = race(16, submit)
    assert codes(replies) == Counter({(201, "ok"): 10, (409, "insufficient_funds"): 6})
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.held_paise, balance.available_paise) == (
        50_000,
        50_000,
        0,
    )
    assert Application.objects.filter(centre=at.centre).count() == 10
    numbers = sorted(b["application_no"] for s, b in replies if s == 201)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 11))  # no gap
    call_command("ledger_check", verbosity=0)


def test_same_application_same_key_sixteen_times_is_one_application(world: World) -> None:
    body = {
        "centre_code": world.centre_code,
        "service_code": world.service_code,
        "citizen": {"name": "Same Key", "mobile": "9830099999"},
        "fields": {"plot_no": "77"},
    }
    token = world.tokens["operator"]
    before = Application.objects.count()
    replies = race(
        16, lambda i, c: post(c, "/applications", body, token, f"same-{uuid.UUID(int=7)}")
    )
    assert {status for status, _ in replies} == {201}, codes(replies)
    assert len({b["application_no"] for _, b in replies}) == 1
    assert Application.objects.count() == before + 1
