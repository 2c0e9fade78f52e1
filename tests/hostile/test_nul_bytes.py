"""A NUL byte in a path or a query: PostgreSQL refuses it in a statement, so an endpoint
that hands it to the database answers 500. Each must answer in the error shape."""

from __future__ import annotations

import uuid

import pytest

from tests.hostile.conftest import API, World, error_of, snapshot

pytestmark = pytest.mark.django_db

NUL = "%00"


GETS = [
    pytest.param(f"/applications/BSK{NUL}1", "auditor", id="application"),
    pytest.param(f"/track?application_no=BSK{NUL}1&mobile=9830012345", None, id="track-number"),
    pytest.param(f"/track?application_no=BSK-1&mobile=98300{NUL}12345", None, id="track-mobile"),
    pytest.param(f"/certificates/AB{NUL}CD/verify", None, id="certificate"),
    pytest.param(f"/centres?district=K{NUL}OL", None, id="centres-district"),
    pytest.param(f"/services?limit=1{NUL}", None, id="services-limit"),
    pytest.param(f"/centres/X/wallet/statement?format=js{NUL}on", "auditor", id="statement-format"),
    pytest.param(
        f"/centres/X/wallet/statement?from=2025-01-0{NUL}1", "auditor", id="statement-from"
    ),
    # Found by the schemathesis run on PostgreSQL (tests/api/test_fuzz.py): a 500.
    pytest.param(f"/transparency/log/proof?application_no=B{NUL}1&salt=ab", None, id="proof-no"),
    pytest.param(f"/transparency/log/proof?application_no=B-1&salt=a{NUL}b", None, id="proof-salt"),
]
WALLET_CODES = [
    pytest.param(
        f"/centres/K{NUL}OL/wallet",
        marks=[pytest.mark.postgres],
        id="wallet",
    ),
    pytest.param(
        f"/centres/K{NUL}OL/wallet/statement",
        marks=[pytest.mark.postgres],
        id="statement",
    ),
]


@pytest.mark.parametrize(("path", "who"), GETS)
def test_get_with_a_nul_byte_is_not_a_500(world: World, path: str, who: str | None) -> None:
    headers = world.headers(who) if who else {}
    response = world.client.get(f"{API}{path}", **headers)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        error_of(response)


@pytest.mark.parametrize("path", WALLET_CODES)
def test_wallet_of_a_code_with_a_nul_byte_is_404(world: World, path: str) -> None:
    response = world.client.get(f"{API}{path}", **world.headers("finance"))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


POSTS = [
    (f"/applications/BSK{NUL}1/actions", {"action": "approve"}, "officer"),
    (f"/topups/0{NUL}1/approve", {}, "finance2"),
    ("/applications", "citizen-nul", "operator"),
    (
        "/centres/{centre}/wallet/topups",
        {"amount_paise": 100, "bank_reference": "UTR\x0012"},
        "operator",
    ),
]


@pytest.mark.parametrize(("path", "body", "who"), POSTS)
def test_post_with_a_nul_byte_is_refused_and_changes_nothing(
    world: World, path: str, body: object, who: str
) -> None:
    if body == "citizen-nul":
        body = {
            "centre_code": world.centre_code,
            "service_code": world.service_code,
            "citizen": {"name": "Nul\x00Name", "mobile": "9830012345"},
            "fields": {"plot_no": "12\x0034"},
        }
    before = snapshot(world)
    response = world.client.post(
        f"{API}{path.format(centre=world.centre_code)}",
        data=body,
        content_type="application/json",
        **world.headers(who, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())),
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    error_of(response)
    assert snapshot(world) == before
