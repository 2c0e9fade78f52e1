"""The one error shape and bearer-token authentication."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from sahayata.api.auth import bearer
from sahayata.people.models import ApiToken
from sahayata.people.services import api_token_revoke
from sahayata.people.tokens import TokenRevoked, api_token_create, user_for_token
from sahayata.site.api import api
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _shape(body: dict) -> dict:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    return body["error"]


def test_unknown_path_and_wrong_method_use_the_error_shape(client: Client) -> None:
    missing = client.get("/api/v1/no/such/thing", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert _shape(missing.json())["code"] == "not_found"
    wrong = client.delete("/api/v1/services", HTTP_ACCEPT_LANGUAGE="bn")
    assert wrong.status_code == 405
    error = _shape(wrong.json())
    assert error["code"] == "method_not_allowed"
    assert error["details"]["allowed"] == ["GET"]
    assert error["message"] != "This method is not allowed here."  # in Bengali


def _protected_paths() -> list[tuple[str, str]]:
    """(method, path) of every operation that needs a token, path parameters filled in."""
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if operation.get("security"):
                filled = "/".join("X1" if p.startswith("{") else p for p in path.split("/"))
                found.append((method, filled))
    return found


def test_every_protected_endpoint_answers_401_in_shape(client: Client) -> None:
    protected = _protected_paths()
    user = UserFactory(role="auditor")
    revoked = api_token_create(user=user)
    api_token_revoke(token=ApiToken.objects.get(user=user))
    headers = [
        {},
        {"HTTP_AUTHORIZATION": "Bearer sah_not-a-real-token"},
        {"HTTP_AUTHORIZATION": f"Bearer {revoked}"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
    ]
    for method, path in protected:
        for header in headers:
            if method == "get":
                response = client.get(path, **header)
            else:
                response = client.generic(
                    method.upper(), path, "{}", content_type="application/json", **header
                )
            assert response.status_code == 401, (method, path, header)
            assert _shape(response.json())["code"] == "unauthenticated"


def test_bearer_accepts_a_live_token_only() -> None:
    factory = RequestFactory()
    user = UserFactory(role="finance")
    token = api_token_create(user=user)
    request = factory.get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer(request) == user
    assert request.user == user
    assert bearer(factory.get("/")) is None
    assert bearer(factory.get("/", HTTP_AUTHORIZATION="Bearer wrong")) is None
    stored = ApiToken.objects.get(user=user)
    assert token not in (stored.key_hash, stored.prefix)  # only a hash is kept
    assert stored.last_used_at is not None
    user.is_active = False
    user.save()
    assert user_for_token(token) is None
    user.is_active = True
    user.save()
    api_token_revoke(token=stored)
    with pytest.raises(TokenRevoked):
        user_for_token(token)
