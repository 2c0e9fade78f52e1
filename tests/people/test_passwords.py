"""Passwords: 12 characters or more, not a common one, not all digits, not like the
username; the same rules by every way a password is set (the service and add_user, the
admin's forms, the password change page)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from sahayata.people.demo import DEMO_PASSWORD
from sahayata.people.models import User
from sahayata.people.services import WeakPassword, user_create
from tests.factories import TEST_PASSWORD, UserFactory

WEAK = ["12345678", "password", "finance-officer", "123456789012", "password1234"]


@pytest.mark.django_db
@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused_for_a_finance_officer(password: str) -> None:
    with pytest.raises(WeakPassword):
        user_create(username="finance-officer", role="finance", password=password)
    with pytest.raises(CommandError, match="weak_password"):
        call_command(
            "add_user", "finance-officer", "--role", "finance", "--password", password,
            stdout=io.StringIO(),
        )  # fmt: skip
    assert not User.objects.filter(username="finance-officer").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("password", WEAK)
def test_the_admin_refuses_weak_passwords(client: Client, password: str) -> None:
    client.force_login(UserFactory(role="admin"))
    response = client.post(
        reverse("admin:people_user_add"),
        {
            "username": "finance-officer",
            "role": "finance",
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200  # the form again, with the problem
    assert not User.objects.filter(username="finance-officer").exists()


@pytest.mark.django_db
def test_the_password_change_page_refuses_a_short_password(client: Client) -> None:
    user = UserFactory(role="operator")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Kolkata#1", "new_password2": "Kolkata#1"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_a_strong_password_is_accepted() -> None:
    user = user_create(username="finance-officer", role="finance", password="tea garden monsoon 7")
    assert user.check_password("tea garden monsoon 7")


@pytest.mark.parametrize("username", ["finance", "finance2", "admin", "op-kol0001-1", "user1"])
def test_the_demo_and_test_passwords_pass_the_rules(username: str) -> None:
    for password in (DEMO_PASSWORD, TEST_PASSWORD):
        validate_password(password, user=User(username=username))
