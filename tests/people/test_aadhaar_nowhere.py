"""No Aadhaar number in clear anywhere: register citizens with real-looking numbers through
the counter and the API (each way of writing one, a duplicate, refused ones), submit,
search, export (wallet statements, the audit trail), open every admin list, with every
log captured (caplog and the JSON formatter); then search the database (on SQLite the
file's bytes, free pages included, and on either the text of every column of every
table), the logs, the exports and the admin's HTML for each number, with and without
spaces or hyphens. None may be found; the masked form (XXXX-XXXX-1234) may."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from pythonjsonlogger.json import JsonFormatter

from sahayata.core.requestid import RequestIdFilter
from sahayata.people.models import Citizen, Role, User
from sahayata.people.tokens import api_token_create
from tests.applications.conftest import (  # noqa: F401 - the same autouse fixtures apply here
    _ledger_holds_after_each_test,
    _quiet_side_effects,
)
from tests.conftest import backend_vendor
from tests.factories.applications import counter
from tests.factories.catalogue import free_service, paid_service
from tests.factories.people import UserFactory, valid_aadhaar
from tests.people.test_privacy import _all_text_in_the_database

BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def _forms(number: str) -> list[str]:
    """The ways a number may be written down: plain, spaced, hyphenated, Bengali digits."""
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    hyphenated = spaced.replace(" ", "-")
    return [number, spaced, hyphenated, number.translate(BENGALI_DIGITS)]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged, through the JSON formatter of production's settings."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _sqlite_file_bytes(tmp_path: Path) -> bytes:
    """The database as a file, page for page (free pages too), from the test connection."""
    import sqlite3

    target_path = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(target_path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return target_path.read_bytes()


def _admin_pages(client: Client) -> dict[str, str]:
    """Every admin changelist, and the change page of every citizen."""
    pages: dict[str, str] = {}
    for model in admin.site._registry:
        meta = model._meta
        try:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    for citizen in Citizen.objects.all():
        url = reverse("admin:people_citizen_change", args=[citizen.pk])
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


@pytest.mark.django_db(transaction=True)
def test_no_aadhaar_number_in_the_database_logs_exports_or_admin(
    caplog: pytest.LogCaptureFixture, json_log: io.StringIO, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    at = counter()
    UserFactory(role=Role.SUPERVISOR, centre=at.centre)
    auditor, superuser = UserFactory(role=Role.AUDITOR), UserFactory(role=Role.ADMIN)
    free, paid = free_service(), paid_service()
    registered = [valid_aadhaar(n) for n in (4_829_103_756, 7_315_928_460, 9_046_271_835)]
    by_api = [valid_aadhaar(n) for n in (5_604_817_293, 8_271_036_594)]
    # Real-looking 12-digit numbers that are refused (the check digit is wrong): they must
    # not be kept either, nor logged.
    refused = [n[:-1] + str((int(n[-1]) + 1) % 10) for n in (valid_aadhaar(6_918_273_645),)]
    numbers = registered + by_api + refused

    # 1. The counter: the number written each way, a duplicate, a refused one, a search.
    operator = Client()
    operator.cookies["django_language"] = "en"
    operator.force_login(at.operator)
    for i, number in enumerate(registered):
        # Plain, spaced and hyphenated: one citizen each.
        response = operator.post(
            "/counter/citizens/new",
            {
                "name_en": f"Citizen Number {i}",
                "mobile": f"983001234{i}",
                "aadhaar": _forms(number)[i],
            },
        )
        assert response.status_code == 302, response.content[:300]
    duplicate = operator.post(
        "/counter/citizens/new",
        {"name_en": "Someone Else", "mobile": "9830012399", "aadhaar": _forms(registered[1])[1]},
    )
    assert duplicate.status_code == 409
    wrong = operator.post(
        "/counter/citizens/new",
        {"name_en": "Wrong Digit", "mobile": "9830012398", "aadhaar": refused[0]},
    )
    assert wrong.status_code == 422
    for i, number in enumerate(registered):
        found = operator.post("/counter/", {"q": _forms(number)[1]})
        assert found.status_code == 200 and f"Citizen Number {i}" in found.content.decode()
    assert Citizen.objects.count() == 3

    # 2. The API: a submission that registers, its replay, a key reused, a refused number.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=at.operator)}"}

    def submit(key: str, number: str, service_code: str, **citizen: str) -> int:
        body = {
            "centre_code": at.centre.code,
            "service_code": service_code,
            "citizen": {
                "name": "Api Citizen",
                "mobile": "9830055501",
                "aadhaar": number,
                **citizen,
            },
            "fields": {"plot_no": "1234"} if service_code == paid.code else {"applicant_note": "W"},
        }
        return client_api.post(
            "/api/v1/applications",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **auth,
        ).status_code

    client_api = Client()
    assert submit("one", by_api[0], free.code) == 201
    assert submit("one", by_api[0], free.code) == 201  # the replay
    assert submit("one", by_api[1], free.code) == 409  # the key with another body
    assert submit("two", _forms(by_api[1])[2], paid.code, name="Other Api Citizen") == 201
    assert submit("three", refused[0], free.code) == 422
    assert submit("four", _forms(registered[2])[1], paid.code) == 201  # an existing holder
    assert Citizen.objects.count() == 5

    # 3. Exports and pages: wallet statements, the audit trail, every admin list.
    outputs: dict[str, str] = {}
    code = at.centre.code
    outputs["statement csv"] = operator.get(
        f"/wallet/statement/?centre={code}&format=csv"
    ).content.decode()
    outputs["api statement csv"] = client_api.get(
        f"/api/v1/centres/{code}/wallet/statement?format=csv", **auth
    ).content.decode()
    reader = Client()
    reader.cookies["django_language"] = "en"
    reader.force_login(auditor)
    trail = reader.get("/audit/trail.csv")
    assert trail.status_code == 200
    outputs["audit trail csv"] = b"".join(trail.streaming_content).decode()
    assert "citizen.register" in outputs["audit trail csv"]  # the registrations are in it
    outputs["audit trail"] = reader.get("/audit/trail/?object_type=citizen").content.decode()
    administrator = Client()
    administrator.cookies["django_language"] = "en"
    administrator.force_login(superuser)
    outputs.update(_admin_pages(administrator))
    assert "XXXX-XXXX-" + registered[0][-4:] in outputs["/admin/people/citizen/"]

    # 4. Logs.
    outputs["caplog"] = caplog.text
    outputs["json log"] = json_log.getvalue()
    assert outputs["json log"], (
        "the JSON handler caught nothing: the log search would prove nothing"
    )

    # 5. The database.
    values = _all_text_in_the_database()
    columns = {(table, column) for table, column, _value in values}
    assert ("people_citizen", "aadhaar_masked") in columns
    database = "\n".join(value for _table, _column, value in values)
    assert "XXXX-XXXX-" + by_api[1][-4:] in database  # it reads what is there
    if backend_vendor() == "sqlite":
        raw = _sqlite_file_bytes(tmp_path)
        assert b"XXXX-XXXX-" + registered[0][-4:].encode() in raw
        outputs["sqlite file"] = raw.decode("latin-1")
    outputs["database"] = database

    found = []
    for where, text in outputs.items():
        squeezed = text.replace(" ", "").replace("-", "")
        for number in numbers:
            for written in _forms(number):
                if written in text or written.replace(" ", "") in squeezed:
                    found.append((where, written))
    assert not found, found
    assert User.objects.filter(role=Role.OPERATOR).exists()
