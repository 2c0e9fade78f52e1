"""Review 8: an Idempotency-Key whose first request was refused stays used. The same key
and body replay the refusal (even once its cause is gone: a new key is a new attempt);
another body under it is ``409 idempotency_key_reused``. Through the HTTP API only."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from sahayata.applications.models import Application
from sahayata.people.tokens import api_token_create
from sahayata.wallet.models import TopUp
from tests.factories.applications import counter
from tests.factories.catalogue import paid_service
from tests.factories.wallet import fund
from tests.hostile.conftest import API, World, error_of
from tests.hostile.test_racing_clients import codes, race


def _post(client: Client, path: str, body: Any, token: str, key: str) -> Any:
    return client.post(
        f"{API}{path}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _submission(centre_code: str, service_code: str, mobile: str = "9830012345") -> dict:
    return {
        "centre_code": centre_code,
        "service_code": service_code,
        "citizen": {"name": "Refused Once", "mobile": mobile},
        "fields": {"plot_no": "12"},
    }


@pytest.mark.django_db
def test_a_key_refused_for_insufficient_funds_is_not_free_for_another_body() -> None:
    at = counter(amount_paise=1_000)
    service = paid_service(amount_paise=5_000)
    token = api_token_create(user=at.operator)
    client = Client()
    body = _submission(at.centre.code, service.code)

    first = _post(client, "/applications", body, token, "short-1")
    assert first.status_code == 409
    assert error_of(first)["code"] == "insufficient_funds"

    other = _post(client, "/applications", {**body, "fields": {"plot_no": "13"}}, token, "short-1")
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_key_reused"

    # Funded now, but the same key and body are the same request: its refusal, replayed.
    fund(wallet=at.wallet, amount_paise=10_000)
    again = _post(client, "/applications", body, token, "short-1")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert not Application.objects.filter(centre=at.centre).exists()

    fresh = _post(client, "/applications", body, token, "short-2")
    assert fresh.status_code == 201
    assert Application.objects.filter(centre=at.centre).count() == 1


@pytest.mark.django_db
def test_a_key_refused_on_a_topup_decision_replays_the_refusal(world: World) -> None:
    # A requester approving its own top-up is refused (maker-checker); the key stays used.
    client = world.client
    path = f"/topups/{world.topup_id}/approve"
    first = _post(client, path, {}, world.tokens["operator"], "self-approve")
    assert 400 <= first.status_code < 500
    again = _post(client, path, {}, world.tokens["operator"], "self-approve")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    reject = _post(
        client, f"/topups/{world.topup_id}/reject", {}, world.tokens["operator"], "self-approve"
    )
    assert error_of(reject)["code"] == "idempotency_key_reused"
    assert TopUp.objects.get(pk=world.topup_id).status == "requested"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_requests_with_one_refused_key_all_get_the_one_refusal() -> None:
    at = counter(amount_paise=1_000)
    service = paid_service(amount_paise=5_000)
    token = api_token_create(user=at.operator)
    body = _submission(at.centre.code, service.code)
    other = {**body, "fields": {"plot_no": "99"}}

    replies = race(12, lambda i, c: _post(c, "/applications", body if i % 2 else other, token, "k"))
    # One body ran first and was refused: its twins replay that refusal, and the other
    # body's requests are told the key is used, whichever body won.
    assert codes(replies) == Counter(
        {(409, "insufficient_funds"): 6, (409, "idempotency_key_reused"): 6}
    )
    refusals = {json.dumps(b) for _, b in replies if b["error"]["code"] == "insufficient_funds"}
    assert len(refusals) == 1
    assert not Application.objects.filter(centre=at.centre).exists()
