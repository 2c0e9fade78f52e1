"""The add_user and create_api_token commands."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sahayata.people.models import User
from sahayata.people.tokens import user_for_token
from tests.factories import CentreFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_add_user_with_a_centre() -> None:
    centre = CentreFactory(code="KOL0099")
    out = io.StringIO()
    call_command("add_user", "rina", "--role", "operator", "--centre", "KOL0099",
                 "--password", "long-enough-1", stdout=out)  # fmt: skip
    user = User.objects.get(username="rina")
    assert (user.role, user.centre, user.district) == ("operator", centre, centre.district)
    assert user.check_password("long-enough-1")
    assert "KOL0099" in out.getvalue()


def test_add_user_officer_with_department() -> None:
    DepartmentFactory(code="LLR")
    call_command("add_user", "amit", "--role", "officer", "--department", "LLR",
                 "--password", "long-enough-1", stdout=io.StringIO())  # fmt: skip
    assert User.objects.get(username="amit").department.code == "LLR"


def test_add_user_prompts_for_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "prompted-secret")
    call_command("add_user", "fin", "--role", "finance", stdout=io.StringIO())
    assert User.objects.get(username="fin").check_password("prompted-secret")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "operator", "--centre", "NOPE001"], "No centre has the code"),
        (["--role", "officer", "--department", "NOPE"], "No department has the code"),
        (["--role", "operator"], "need a centre"),
        (["--role", "officer"], "need a department"),
        (["--role", "finance", "--password", "short"], "too weak"),
    ],
)
def test_add_user_clear_errors(argv: list[str], message: str) -> None:
    if "--password" not in argv:
        argv = [*argv, "--password", "long-enough-1"]
    with pytest.raises(CommandError, match=message):
        call_command("add_user", "x", *argv, stdout=io.StringIO())
    assert not User.objects.filter(username="x").exists()


def test_create_api_token_prints_the_token_last() -> None:
    user = UserFactory(role="auditor", username="aud")
    out = io.StringIO()
    call_command("create_api_token", "aud", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    assert user_for_token(token) == user
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "ghost", stdout=io.StringIO())


def test_add_user_district_nodal_officer_and_unknown_district() -> None:
    from tests.factories import DistrictFactory

    DistrictFactory(code="HWH")
    call_command("add_user", "nodal", "--role", "district", "--district", "HWH",
                 "--password", "long-enough-1", stdout=io.StringIO())  # fmt: skip
    assert User.objects.get(username="nodal").district.code == "HWH"
    with pytest.raises(CommandError, match="No district has the code"):
        call_command("add_user", "y", "--role", "district", "--district", "ZZZ",
                     "--password", "long-enough-1", stdout=io.StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="already taken"):
        call_command("add_user", "nodal", "--role", "auditor", "--password", "long-enough-1",
                     stdout=io.StringIO())  # fmt: skip
