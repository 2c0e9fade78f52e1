"""Salts are drawn per application and top-up, and appear only where the receipt's holder
(or whoever may see the application) reads them: never in a log, an export, a notice or
another public response."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from sahayata.applications.models import Application
from sahayata.ledgerlog.services import log_publish
from sahayata.notifications.models import Notification
from sahayata.notifications.services import notifications_send
from sahayata.people.models import Role
from sahayata.people.tokens import api_token_create
from sahayata.transparency.services import rollups_apply_all
from sahayata.transparency.tables import TABLES
from sahayata.wallet.models import TopUp
from sahayata.wallet.services import topup_request
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory
from tests.ledgerlog.conftest import History

pytestmark = pytest.mark.django_db


def api(client: Client, path: str, user: Any = None, **query: Any) -> tuple[int, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"} if user else {}
    response = client.get(path, query, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response.status_code, body.decode()


def test_salts_are_random_per_application_and_top_up(history: History) -> None:
    applications = history.approved(3)
    topup = topup_request(
        centre=history.at.centre,
        amount_paise=10_000,
        bank_reference="UTR-SALT-1",
        requested_by=history.at.operator,
    )
    salts = [a.log_salt for a in applications] + [topup.log_salt]
    assert len(set(salts)) == 4
    assert all(len(salt) == 32 and int(salt, 16) >= 0 for salt in salts)


def test_salts_never_leak(client: Client, history: History, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    applications = [*history.approved(2), history.rejected()]
    topup = topup_request(
        centre=history.at.centre,
        amount_paise=10_000,
        bank_reference="UTR-SALT-2",
        requested_by=history.at.operator,
    )
    log_publish()
    log_publish()
    rollups_apply_all(limit=10_000)
    assert notifications_send(limit=1000) > 0
    salts = [a.log_salt for a in applications] + [TopUp.objects.get(pk=topup.pk).log_salt]
    auditor = UserFactory(role=Role.AUDITOR)
    seen: list[tuple[str, str]] = []
    public = [
        "/api/v1/transparency/summary",
        "/api/v1/transparency/log/heads",
        "/api/v1/transparency/log/heads/latest",
        "/api/v1/transparency/log/public-keys",
        "/api/v1/services",
        "/api/v1/centres",
        "/dashboard/",
        "/dashboard/log/",
    ]
    public += [f"/dashboard/data/{table}.{fmt}" for table in TABLES for fmt in ("csv", "json")]
    for path in public:
        status, body = api(client, path)
        assert status == 200, path
        seen.append((path, body))
    number = applications[0].number
    mobile = applications[0].citizen.mobile
    seen.append(("track", api(client, "/api/v1/track", application_no=number, mobile=mobile)[1]))
    statement = f"/api/v1/centres/{history.at.centre.code}/wallet/statement"
    seen.append(("statement", api(client, statement, auditor, format="csv")[1]))
    seen.append(("statement json", api(client, statement, auditor)[1]))
    proof = api(
        client,
        "/api/v1/transparency/log/proof",
        application_no=number,
        salt=applications[0].log_salt,
    )
    seen.append(("the proof does not echo the salt", proof[1]))
    seen.append(("sms", Path(settings.SAHAYATA_SMS_FILE).read_text(encoding="utf-8")))
    seen.append(("notices", repr(list(Notification.objects.values_list("body", flat=True)))))
    seen.append(("python logs", caplog.text))
    for where, text in seen:
        for salt in salts:
            assert salt not in text, f"a salt leaks in {where}"


def test_the_application_api_shows_the_salt_only_to_who_may_see_it(
    client: Client, history: History
) -> None:
    (application,) = history.approved(1)
    path = f"/api/v1/applications/{application.number}"
    status, body = api(client, path, history.at.operator)
    assert status == 200 and f'"log_salt": "{application.log_salt}"' in body.replace('":"', '": "')
    stranger = UserFactory(role=Role.OPERATOR, centre=CentreFactory())
    status, body = api(client, path, stranger)
    assert status == 404 and application.log_salt not in body
    assert Application.objects.get(pk=application.pk).log_salt == application.log_salt
