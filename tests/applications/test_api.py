"""The JSON API of applications and tracking, as API.md promises."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from sahayata.applications.models import Application
from sahayata.people.models import User
from sahayata.people.tokens import api_token_create
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import counter, officer_of
from tests.factories.catalogue import paid_service
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def _auth(user: User, key: str | None = None) -> dict[str, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def _body(centre_code: str, service_code: str, **extra: Any) -> dict[str, Any]:
    return {
        "centre_code": centre_code,
        "service_code": service_code,
        "citizen": {"name": "Mita Roy", "mobile": "9830012345"},
        "fields": {"plot_no": "1234"},
        **extra,
    }


def _submit(client: Client, user: User, body: dict[str, Any], key: str = "k1") -> Any:
    return client.post(
        "/api/v1/applications", body, content_type="application/json", **_auth(user, key)
    )


def test_submit_returns_exactly_the_contract_and_is_idempotent(client: Client) -> None:
    at = counter(amount_paise=10_000)
    service = paid_service(amount_paise=4_000)
    first = _submit(client, at.operator, _body(at.centre.code, service.code))
    assert first.status_code == 201, first.content
    body = first.json()
    assert set(body) == {"application_no", "status", "fee_paise", "due_date", "acknowledgement_url"}
    assert body["fee_paise"] == 4_000 and body["status"] == "pending_approval"
    assert body["acknowledgement_url"].endswith(
        f"/applications/{body['application_no']}/acknowledgement/"
    )
    again = _submit(client, at.operator, _body(at.centre.code, service.code))
    assert again.status_code == 201 and again.json() == body
    assert Application.objects.count() == 1
    assert wallet_balance(account=at.wallet).held_paise == 4_000
    reused = _submit(
        client, at.operator, _body(at.centre.code, service.code, fields={"plot_no": "9"})
    )
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


def test_submit_needs_an_idempotency_key_and_funds(client: Client) -> None:
    at = counter(amount_paise=1_000)
    service = paid_service(amount_paise=4_000)
    missing = client.post(
        "/api/v1/applications",
        _body(at.centre.code, service.code),
        content_type="application/json",
        **_auth(at.operator),
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "idempotency_key_required"
    short = _submit(client, at.operator, _body(at.centre.code, service.code))
    assert short.status_code == 409
    assert short.json()["error"]["code"] == "insufficient_funds"
    assert Application.objects.count() == 0


@pytest.mark.parametrize("amount", ["165000", 1650.5, True, None, 0, 10**15 + 1])
def test_paise_fields_must_be_strict_integers(client: Client, amount: Any) -> None:
    from tests.factories.catalogue import bill_service

    at = counter()
    service = bill_service()
    response = _submit(
        client,
        at.operator,
        _body(
            at.centre.code,
            service.code,
            fields={"consumer_id": "112233445", "bill_amount_paise": amount},
        ),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_fields"
    assert Application.objects.count() == 0


def test_another_centres_operator_gets_404(client: Client) -> None:
    at = counter()
    other = counter()
    service = paid_service()
    response = _submit(client, other.operator, _body(at.centre.code, service.code))
    assert response.status_code == 404
    created = _submit(client, at.operator, _body(at.centre.code, service.code)).json()
    number = created["application_no"]
    assert client.get(f"/api/v1/applications/{number}", **_auth(other.operator)).status_code == 404
    assert client.get(
        "/api/v1/applications/BSK-NOPE-2526-000001", **_auth(other.operator)
    ).json() == (client.get(f"/api/v1/applications/{number}", **_auth(other.operator)).json())


def test_officer_reads_and_acts_other_department_gets_404(client: Client) -> None:
    at = counter(amount_paise=10_000)
    service = paid_service(amount_paise=4_000)
    number = _submit(client, at.operator, _body(at.centre.code, service.code)).json()[
        "application_no"
    ]
    officer = officer_of(service)
    detail = client.get(f"/api/v1/applications/{number}", **_auth(officer)).json()
    assert detail["hold"] == "held" and detail["next_actions"] == ["approve", "reject", "return"]
    assert detail["history"][0]["action"] == "submit"
    assert detail["certificate_id"] is None
    stranger = UserFactory(role="officer")
    denied = client.post(
        f"/api/v1/applications/{number}/actions",
        {"action": "approve"},
        content_type="application/json",
        **_auth(stranger, "a1"),
    )
    assert denied.status_code == 404
    done = client.post(
        f"/api/v1/applications/{number}/actions",
        {"action": "approve", "comment": ""},
        content_type="application/json",
        **_auth(officer, "a1"),
    )
    assert done.status_code == 200, done.content
    assert done.json()["hold"] == "posted" and done.json()["next_actions"] == []
    operator_view = client.get(f"/api/v1/applications/{number}", **_auth(at.operator)).json()
    assert [h["action"] for h in operator_view["history"]] == ["submit", "approve"]
    assert wallet_balance(account=at.wallet).balance_paise == 6_000
    again = client.post(
        f"/api/v1/applications/{number}/actions",
        {"action": "reject", "comment": "late"},
        content_type="application/json",
        **_auth(officer, "a2"),
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "action_not_allowed"


def test_tracking_same_404_for_wrong_mobile_and_unknown_number(
    client: Client, settings: Any
) -> None:
    cache.clear()
    at = counter()
    service = paid_service()
    number = _submit(client, at.operator, _body(at.centre.code, service.code)).json()[
        "application_no"
    ]
    ok = client.get("/api/v1/track", {"application_no": number, "mobile": "9830012345"})
    assert ok.status_code == 200 and ok.json()["application_no"] == number
    wrong = client.get("/api/v1/track", {"application_no": number, "mobile": "9830099999"})
    unknown = client.get(
        "/api/v1/track", {"application_no": "BSK-X-2526-000009", "mobile": "9830012345"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    page_wrong = client.post("/track/", {"application_no": number, "mobile": "9830099999"})
    page_unknown = client.post(
        "/track/", {"application_no": "BSK-X-2526-000009", "mobile": "9830099999"}
    )
    assert page_wrong.status_code == page_unknown.status_code == 404


def test_tracking_limits_misses_per_number_and_ip(client: Client, settings: Any) -> None:
    cache.clear()
    settings.SAHAYATA_LOOKUP_LIMITS = {"track": {"misses_per_number": 3, "misses_per_ip": 50}}
    query = {"application_no": "BSK-X-2526-000001", "mobile": "9830012345"}
    codes = [client.get("/api/v1/track", query).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    limited = client.get("/api/v1/track", query)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 0 < limited.json()["error"]["details"]["retry_after_seconds"] <= 900
    other_number = client.get("/api/v1/track", {**query, "application_no": "BSK-X-2526-000002"})
    assert other_number.status_code == 404  # the same client, another number: not blocked
    other_ip = client.get("/api/v1/track", query, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 404


def test_the_verifier_may_not_approve_through_the_api_in_either_language(
    client: Client,
) -> None:
    from tests.factories.applications import certificate_service, submitted

    at = counter()
    service = certificate_service()
    number = submitted(at=at, service=service).number
    verifier, approver = officer_of(service), officer_of(service)
    url = f"/api/v1/applications/{number}/actions"
    verified = client.post(
        url, {"action": "verify"}, content_type="application/json", **_auth(verifier, "v1")
    )
    assert verified.status_code == 200, verified.content
    assert verified.json()["next_actions"] == ["reject", "return"]  # approve: another officer
    errors = {}
    for language, key in (("en", "s-en"), ("bn", "s-bn")):
        refused = client.post(
            url,
            {"action": "approve"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
            **_auth(verifier, key),
        )
        assert refused.status_code == 403
        errors[language] = refused.json()["error"]
    assert errors["en"]["code"] == errors["bn"]["code"] == "same_officer"
    assert "another officer" in errors["en"]["message"]
    assert "অন্য" in errors["bn"]["message"] and errors["bn"]["message"] != errors["en"]["message"]
    approved = client.post(
        url, {"action": "approve"}, content_type="application/json", **_auth(approver, "a1")
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
