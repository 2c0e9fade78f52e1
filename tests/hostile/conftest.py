"""A small world for hostile-input tests: every role with a token, a funded centre, a
paid application, a pending top-up and a certificate, seen only through the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from sahayata.api.models import IdempotencyRecord
from sahayata.applications.models import Application, ApplicationHistory
from sahayata.notifications.models import Notification
from sahayata.people.models import Citizen, Role
from sahayata.people.tokens import api_token_create
from sahayata.wallet.models import Account, TopUp, Transfer
from sahayata.wallet.selectors import wallet_balance
from tests.applications.conftest import (  # noqa: F401 - the same autouse fixtures apply here
    _ledger_holds_after_each_test,
    _quiet_side_effects,
)
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import paid_service
from tests.factories.people import UserFactory
from tests.factories.wallet import TopUpFactory

API = "/api/v1"


@dataclass
class World:
    client: Client
    tokens: dict[str, str]
    centre_code: str
    other_centre_code: str
    service_code: str
    application_no: str
    other_application_no: str
    topup_id: str
    wallets: list[Account] = field(default_factory=list)

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[who]}", **extra}


def snapshot(world: World) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        Application.objects.count(),
        ApplicationHistory.objects.count(),
        sorted(Application.objects.values_list("number", "status", "hold")),
        TopUp.objects.count(),
        sorted((str(t.id), t.status) for t in TopUp.objects.all()),
        Transfer.objects.count(),
        # A refused request stores its refusal under its key (replayed, never re-run).
        IdempotencyRecord.objects.filter(status_code__lt=400).count(),
        Citizen.objects.count(),
        Notification.objects.count(),
        [
            (b.balance_paise, b.held_paise)
            for b in (wallet_balance(account=w) for w in world.wallets)
        ],
    )


def error_of(response: Any) -> dict[str, Any]:
    """The one error shape, or fail: ``{"error": {"code", "message", "details"}}``."""
    assert response.status_code < 500, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"].isidentifier(), error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], dict), error
    return error


@pytest.fixture
def world(db: None) -> World:
    here = counter(amount_paise=1_000_000)
    there = counter(amount_paise=1_000_000)
    service = paid_service(amount_paise=5_000)
    application = submitted(at=here, service=service)
    other_application = submitted(at=there, service=service)
    users = {
        "operator": here.operator,
        "other_operator": there.operator,
        "supervisor": UserFactory(role=Role.SUPERVISOR, centre=here.centre),
        "finance": UserFactory(role=Role.FINANCE),
        "finance2": UserFactory(role=Role.FINANCE),
        "auditor": UserFactory(role=Role.AUDITOR),
        "officer": UserFactory(role=Role.OFFICER, department=service.department),
        "other_officer": UserFactory(role=Role.OFFICER),
        "admin": UserFactory(role=Role.ADMIN),
    }
    topup = TopUpFactory(centre=here.centre, requested_by=here.operator, amount_paise=100_000)
    return World(
        client=Client(),
        tokens={name: api_token_create(user=user) for name, user in users.items()},
        centre_code=here.centre.code,
        other_centre_code=there.centre.code,
        service_code=service.code,
        application_no=application.number,
        other_application_no=other_application.number,
        topup_id=str(topup.id),
        wallets=[here.wallet, there.wallet],
    )
