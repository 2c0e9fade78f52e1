"""API tokens: hashed, with an expiry (90 days unless told), revocation and a last-used
time written at most once a minute; an expired or revoked token is a 401 in the one
error shape that says which."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sahayata.people.models import ApiToken
from sahayata.people.services import api_token_revoke
from sahayata.people.tokens import api_token_create, hash_token, user_for_token
from tests.factories import UserFactory

PROTECTED = "/api/v1/centres/KOL0001/wallet"


def _get(client: Client, token: str):
    return client.get(PROTECTED, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_a_token_expires_after_ninety_days_by_default() -> None:
    before = timezone.now()
    api_token_create(user=UserFactory(role="auditor"))
    stored = ApiToken.objects.get()
    lifetime = stored.expires_at - before
    assert dt.timedelta(days=90) <= lifetime < dt.timedelta(days=90, minutes=1)


@pytest.mark.django_db
def test_create_api_token_takes_the_days() -> None:
    user = UserFactory(role="auditor", username="reader")
    out = io.StringIO()
    call_command("create_api_token", "reader", "--days", "7", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    stored = ApiToken.objects.get(user=user)
    assert stored.expires_at - timezone.now() < dt.timedelta(days=7)
    assert stored.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    assert user_for_token(token) == user


@pytest.mark.django_db
def test_expired_and_revoked_tokens_are_401_saying_which(client: Client) -> None:
    user = UserFactory(role="auditor")
    live, expired, revoked = (api_token_create(user=user) for _ in range(3))
    ApiToken.objects.filter(key_hash=hash_token(expired)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    api_token_revoke(token=ApiToken.objects.get(key_hash=hash_token(revoked)))
    assert _get(client, live).status_code != 401
    for token, reason in ((expired, "token_expired"), (revoked, "token_revoked")):
        response = _get(client, token)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "unauthenticated"
        assert error["details"] == {"reason": reason}
        assert error["message"]
    unknown = _get(client, "sah_no-such-token")
    assert unknown.status_code == 401
    assert unknown.json()["error"]["details"] == {}


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute() -> None:
    user = UserFactory(role="auditor")
    token = api_token_create(user=user)

    def writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert user_for_token(token) == user
        return sum(1 for q in queries.captured_queries if q["sql"].startswith("UPDATE"))

    assert writes() == 1  # first use
    first = ApiToken.objects.get().last_used_at
    assert [writes() for _ in range(5)] == [0] * 5  # within the minute: reads only
    ApiToken.objects.update(last_used_at=first - dt.timedelta(seconds=61))
    assert writes() == 1
    assert ApiToken.objects.get().last_used_at > first
