"""Failed logins are throttled per username at an IP (django-axes), on the staff login and
on the admin's: a shared counter PC keeps working for everyone but the one who mistyped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

KIOSK = "10.20.30.40"
WRONG_TRIES = 40


def _post(client: Client, url: str, username: str, password: str, ip: str = KIOSK):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_forty_wrong_passwords_lock_that_username_at_that_ip_only(url_name: str) -> None:
    url = reverse(url_name)
    victim = UserFactory(role="admin", username="clumsy")
    colleague = UserFactory(role="admin", username="colleague")
    for _attempt in range(WRONG_TRIES):
        _post(Client(), url, victim.username, "not-the-password")
    refused = Client()
    response = _post(refused, url, victim.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(refused)
    page = response.content.decode()
    assert "অন্য ব্যবহারকারীরা" in page  # Bengali first: the others can still log in
    assert '<input id="id_password"' in page  # the form stays for them
    # Another operator at the same counter PC logs in; so does the victim from elsewhere.
    other = Client()
    assert _post(other, url, colleague.username, TEST_PASSWORD).status_code == 302
    assert _logged_in(other)
    elsewhere = Client()
    assert _post(elsewhere, url, victim.username, TEST_PASSWORD, ip="10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_the_lock_out_message_in_english_and_the_cool_off() -> None:
    from axes.models import AccessAttempt

    user = UserFactory(role="operator")
    url = reverse("login")
    for _attempt in range(WRONG_TRIES):
        _post(Client(), url, user.username, "not-the-password")
    client = Client()
    client.cookies["django_language"] = "en"
    response = _post(client, url, user.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Other users can still log in on this computer." in response.content.decode()
    assert "15 minutes" in response.content.decode()
    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _post(Client(), url, user.username, TEST_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_few_mistakes_then_the_right_password_logs_in_and_resets_the_count() -> None:
    user = UserFactory(role="operator")
    url = reverse("login")
    for _round in range(3):
        for _attempt in range(5):
            assert _post(Client(), url, user.username, "not-the-password").status_code == 200
        assert _post(Client(), url, user.username, TEST_PASSWORD).status_code == 302
