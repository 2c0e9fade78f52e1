"""An Aadhaar number that is not one (4 digits, 11 or 13, a wrong check digit) is refused
with a clear error in both languages, at the counter (the form keeps everything else)
and in the API (the one error shape, code ``invalid_aadhaar``); never silently dropped."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sahayata.applications.models import Application
from sahayata.people.models import Citizen
from sahayata.people.tokens import api_token_create
from tests.applications.conftest import (  # noqa: F401 - the same autouse fixtures apply here
    _ledger_holds_after_each_test,
    _quiet_side_effects,
)
from tests.factories.applications import counter
from tests.factories.catalogue import free_service
from tests.factories.people import valid_aadhaar

pytestmark = pytest.mark.django_db

MESSAGES = {
    "en": "This is not a valid 12-digit Aadhaar number.",
    "bn": "এটি ১২ অঙ্কের কোনো বৈধ আধার নম্বর নয়।",
}


def _not_aadhaar_numbers() -> list[str]:
    good = valid_aadhaar(4_182_736_450)
    wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)
    return ["1234", good[:-1], good + "7", wrong_check, "0" + good[1:], "abcd efgh ijkl"]


@pytest.mark.parametrize("language", ["en", "bn"])
@pytest.mark.parametrize("aadhaar", _not_aadhaar_numbers())
def test_the_counter_refuses_a_number_that_is_not_aadhaar(
    client: Client, language: str, aadhaar: str
) -> None:
    at = counter()
    client.force_login(at.operator)
    client.cookies["django_language"] = language
    response = client.post(
        "/counter/citizens/new",
        {"name_en": "Rina Das", "name_bn": "রিনা দাস", "mobile": "9830012345", "aadhaar": aadhaar},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert MESSAGES[language] in page
    # The form keeps what was typed, except the refused number.
    assert 'value="Rina Das"' in page and 'value="রিনা দাস"' in page
    assert 'value="9830012345"' in page
    assert f'value="{aadhaar}"' not in page
    assert not Citizen.objects.exists()


@pytest.mark.parametrize("language", ["en", "bn"])
@pytest.mark.parametrize("aadhaar", _not_aadhaar_numbers())
def test_the_api_refuses_a_number_that_is_not_aadhaar(
    client: Client, language: str, aadhaar: str
) -> None:
    at = counter()
    service = free_service()
    response = client.post(
        "/api/v1/applications",
        json.dumps(
            {
                "centre_code": at.centre.code,
                "service_code": service.code,
                "citizen": {"name": "Rina Das", "mobile": "9830012345", "aadhaar": aadhaar},
                "fields": {"applicant_note": "Widow, 62 years"},
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=at.operator)}",
        HTTP_IDEMPOTENCY_KEY=f"refused-{aadhaar}",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_aadhaar"
    assert error["message"] == MESSAGES[language]
    assert error["details"] == {"field": "citizen.aadhaar"}
    assert aadhaar not in response.content.decode()
    assert not Citizen.objects.exists() and not Application.objects.exists()


def test_the_api_keeps_a_valid_number_as_the_counter_does(client: Client) -> None:
    at = counter()
    service = free_service()
    number = valid_aadhaar(5_551_234_567)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=at.operator)}"}

    def submit(key: str, name: str) -> int:
        body = {
            "centre_code": at.centre.code,
            "service_code": service.code,
            "citizen": {"name": name, "mobile": "9830012345", "aadhaar": number},
            "fields": {"applicant_note": "Widow, 62 years"},
        }
        return client.post(
            "/api/v1/applications",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **auth,
        ).status_code

    assert submit("first", "Rina Das") == 201
    (citizen,) = Citizen.objects.all()
    assert citizen.aadhaar_masked == f"XXXX-XXXX-{number[-4:]}" and citizen.aadhaar_hmac
    # The same number again is the same citizen, not a second one nor an error.
    assert submit("second", "Rina Das") == 201
    assert Citizen.objects.count() == 1 and Application.objects.count() == 2
