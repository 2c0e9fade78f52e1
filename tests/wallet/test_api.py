"""The wallet's JSON API: permissions, idempotent retries, the error shape, CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from sahayata.core.ids import uuid7
from sahayata.people.models import User
from sahayata.people.tokens import api_token_create
from sahayata.wallet.models import AccountKind, TopUp, Transfer
from sahayata.wallet.services import TransferSpec, system_account, transfer_post, transfers_create
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory
from tests.factories.wallet import TopUpFactory, funded_wallet

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(f"/api/v1{path}", **self.auth, **extra)

    def post(self, path: str, body: Any = None, *, key: str | None = "k1", **extra: Any) -> Any:
        headers = dict(self.auth, **extra)
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(
            f"/api/v1{path}",
            data=body if body is not None else {},
            content_type="application/json",
            **headers,
        )


@pytest.fixture
def centre() -> Any:
    return CentreFactory()


@pytest.fixture
def operator(client: Client, centre: Any) -> Api:
    return Api(client, UserFactory(role="operator", centre=centre))


@pytest.fixture
def finance(client: Client) -> Api:
    return Api(client, UserFactory(role="finance"))


def test_wallet_balance_for_its_centre_finance_and_auditor(
    client: Client, centre: Any, operator: Api, finance: Api
) -> None:
    wallet = funded_wallet(centre=centre, amount_paise=50_000)
    treasury = system_account(kind=AccountKind.TREASURY)
    transfers_create(
        specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 20_000, "service_fee", "A", True)]
    )
    expected = {
        "centre": centre.code,
        "balance_paise": 50_000,
        "held_paise": 20_000,
        "available_paise": 30_000,
    }
    for api in (
        operator,
        finance,
        Api(client, UserFactory(role="auditor")),
        Api(client, UserFactory(role="supervisor", centre=centre)),
    ):
        response = api.get(f"/centres/{centre.code}/wallet")
        assert response.status_code == 200, response.content
        assert response.json() == expected


def test_another_centres_operator_gets_404_and_other_roles_403(client: Client, centre: Any) -> None:
    funded_wallet(centre=centre)
    stranger = Api(client, UserFactory(role="operator"))
    for path in (f"/centres/{centre.code}/wallet", f"/centres/{centre.code}/wallet/statement"):
        response = stranger.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert stranger.get(path.replace(centre.code, "NOPE")).status_code == 404
    officer = Api(client, UserFactory(role="officer"))
    assert officer.get(f"/centres/{centre.code}/wallet").status_code == 403
    assert client.get(f"/api/v1/centres/{centre.code}/wallet").status_code == 401


def test_a_centre_without_a_wallet_shows_zero(centre: Any, operator: Api) -> None:
    response = operator.get(f"/centres/{centre.code}/wallet")
    assert response.json()["available_paise"] == 0


def test_statement_with_running_balance_newest_first_and_csv(centre: Any, operator: Api) -> None:
    wallet = funded_wallet(centre=centre, amount_paise=50_000)
    treasury = system_account(kind=AccountKind.TREASURY)
    held = transfers_create(
        specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 20_000, "service_fee", "APP-9", True)]
    )[0]
    transfer_post(id=uuid7(), pending_id=held.id, amount_paise=15_000)
    body = operator.get(f"/centres/{centre.code}/wallet/statement").json()
    assert body["count"] == 2
    assert [(i["kind"], i["amount_paise"], i["balance_paise"]) for i in body["items"]] == [
        ("service_fee", -15_000, 35_000),
        ("topup", 50_000, 50_000),
    ]
    assert body["items"][0]["reference"] == "APP-9"
    assert (body["opening_balance_paise"], body["closing_balance_paise"]) == (0, 35_000)

    response = operator.get(f"/centres/{centre.code}/wallet/statement?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # The CSV has every line, the hold too (amount_paise 0: the balance did not move).
    assert [
        (row["entry"], int(row["amount_paise"]), int(row["balance_paise"])) for row in rows
    ] == [
        ("post", -15_000, 35_000),
        ("hold", 0, 50_000),
        ("credit", 50_000, 50_000),
    ]
    assert [int(row["available_paise"]) for row in rows] == [35_000, 30_000, 50_000]

    old = operator.get(f"/centres/{centre.code}/wallet/statement?from=2020-01-01&to=2020-01-31")
    assert old.json()["count"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "?from=2025-02-01&to=2025-01-01",
        "?from=2020-01-01&to=2025-01-01",
        "?from=yesterday",
        "?format=pdf",
        "?limit=0",
    ],
)
def test_bad_statement_queries_get_422(centre: Any, operator: Api, query: str) -> None:
    response = operator.get(f"/centres/{centre.code}/wallet/statement{query}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_topup_create_approve_with_idempotent_retries(
    client: Client, centre: Any, operator: Api, finance: Api
) -> None:
    path = f"/centres/{centre.code}/wallet/topups"
    body = {"amount_paise": 250_000, "bank_reference": "UTR77881122"}
    first = operator.post(path, body, key="req-1")
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["status"] == "requested"
    assert created["amount_paise"] == 250_000
    again = operator.post(path, body, key="req-1")
    assert (again.status_code, again.json()) == (201, created)
    assert TopUp.objects.count() == 1
    reused = operator.post(path, {**body, "amount_paise": 1}, key="req-1")
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    duplicate = operator.post(path, body, key="req-2")
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_bank_reference"

    approve = f"/topups/{created['id']}/approve"
    assert operator.post(approve, key="a").status_code == 403
    done = finance.post(approve, key="a1")
    assert done.status_code == 200
    assert done.json()["status"] == "credited"
    assert finance.post(approve, key="a1").json() == done.json()  # a retry, no second credit
    second = finance.post(approve, key="a2")
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "topup_not_pending"
    assert Transfer.objects.filter(code="topup").count() == 1
    assert operator.get(f"/centres/{centre.code}/wallet").json()["balance_paise"] == 250_000


def test_topup_requires_an_idempotency_key(centre: Any, operator: Api, finance: Api) -> None:
    response = operator.post(
        f"/centres/{centre.code}/wallet/topups",
        {"amount_paise": 100, "bank_reference": "UTR1234"},
        key=None,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    topup = TopUpFactory()
    assert finance.post(f"/topups/{topup.id}/approve", key=None).status_code == 400


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100", True, None, 10**15 + 1, [100], {"paise": 1}])
def test_bad_money_gets_422_and_creates_nothing(centre: Any, operator: Api, amount: Any) -> None:
    response = operator.post(
        f"/centres/{centre.code}/wallet/topups",
        {"amount_paise": amount, "bank_reference": "UTR5555"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    fields = [p["field"] for p in response.json()["error"]["details"]["fields"]]
    assert fields and all(f.startswith("body.amount_paise") for f in fields), fields
    assert not TopUp.objects.exists()


def test_bad_bank_reference_gets_422(centre: Any, operator: Api) -> None:
    response = operator.post(
        f"/centres/{centre.code}/wallet/topups", {"amount_paise": 100, "bank_reference": "a b"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_bank_reference"


def test_topup_permissions(client: Client, centre: Any, finance: Api) -> None:
    body = {"amount_paise": 100, "bank_reference": "UTR4444"}
    stranger = Api(client, UserFactory(role="operator"))
    assert stranger.post(f"/centres/{centre.code}/wallet/topups", body).status_code == 404
    assert finance.post(f"/centres/{centre.code}/wallet/topups", body).status_code == 403
    assert not TopUp.objects.exists()


def test_maker_checker_same_person(client: Client) -> None:
    maker = UserFactory(role="finance")
    topup = TopUpFactory(requested_by=maker)
    response = Api(client, maker).post(f"/topups/{topup.id}/approve")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "same_person"


def test_reject_and_list(client: Client, finance: Api, operator: Api) -> None:
    topup = TopUpFactory()
    listed = finance.get("/topups").json()
    assert [item["id"] for item in listed["items"]] == [str(topup.id)]
    assert operator.get("/topups").status_code == 403
    response = finance.post(f"/topups/{topup.id}/reject", {"reason": "not at the bank"})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert finance.post(f"/topups/{topup.id}/approve", key="other").status_code == 409
    assert finance.post(f"/topups/{uuid7()}/approve", key="x").status_code == 404
    assert finance.post("/topups/not-a-uuid/reject", key="y").status_code == 404
    assert finance.get("/topups").json()["count"] == 0


def test_errors_follow_accept_language(client: Client, finance: Api) -> None:
    topup = TopUpFactory()
    finance.post(f"/topups/{topup.id}/reject", {"reason": "not at the bank"}, key="r")
    english = finance.post(f"/topups/{topup.id}/approve", key="e", HTTP_ACCEPT_LANGUAGE="en")
    bengali = finance.post(f"/topups/{topup.id}/approve", key="b", HTTP_ACCEPT_LANGUAGE="bn")
    assert english.json()["error"]["message"] == "The top-up was already credited or rejected."
    assert bengali.json()["error"]["code"] == "topup_not_pending"
    assert bengali.json()["error"]["message"] == "এই টপ-আপটি আগেই জমা বা বাতিল করা হয়েছে।"
