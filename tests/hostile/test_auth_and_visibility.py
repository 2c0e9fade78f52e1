"""From outside: no or wrong token is 401, a role that may not act is 403, and what a
user may not see is a 404 whose body is the same as for something that does not exist."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.hostile.conftest import API, World, error_of, snapshot

pytestmark = pytest.mark.django_db


def _calls(world: World) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every endpoint of API.md that needs a token."""
    return [
        ("get", f"/centres/{world.centre_code}/wallet", None),
        ("get", f"/centres/{world.centre_code}/wallet/statement", None),
        (
            "post",
            f"/centres/{world.centre_code}/wallet/topups",
            {"amount_paise": 100, "bank_reference": "UTRAUTH1"},
        ),
        ("post", f"/topups/{world.topup_id}/approve", {}),
        ("post", f"/topups/{world.topup_id}/reject", {}),
        (
            "post",
            "/applications",
            {
                "centre_code": world.centre_code,
                "service_code": world.service_code,
                "citizen": {"name": "A", "mobile": "9830012345"},
                "fields": {"plot_no": "1"},
            },
        ),
        ("get", f"/applications/{world.application_no}", None),
        ("post", f"/applications/{world.application_no}/actions", {"action": "approve"}),
    ]


def _send(world: World, method: str, path: str, body: Any, **headers: str) -> Any:
    headers.setdefault("HTTP_IDEMPOTENCY_KEY", str(uuid.uuid4()))
    if method == "get":
        return world.client.get(f"{API}{path}", **headers)
    return world.client.post(
        f"{API}{path}", data=json.dumps(body), content_type="application/json", **headers
    )


BAD_AUTH = [
    {},
    {"HTTP_AUTHORIZATION": ""},
    {"HTTP_AUTHORIZATION": "Bearer"},
    {"HTTP_AUTHORIZATION": "Bearer "},
    {"HTTP_AUTHORIZATION": "Bearer sah_not-a-real-token"},
    {"HTTP_AUTHORIZATION": "Bearer " + "x" * 10_000},
    {"HTTP_AUTHORIZATION": "Bearer টোকেন"},
    {"HTTP_AUTHORIZATION": "Bearer a\x00b"},
    {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
    {"HTTP_AUTHORIZATION": "Token sah_x"},
]


@pytest.mark.parametrize(
    "auth", BAD_AUTH, ids=lambda h: repr(h.get("HTTP_AUTHORIZATION", "none")[:16])
)
def test_no_or_wrong_token_is_401_in_shape_and_changes_nothing(
    world: World, auth: dict[str, str]
) -> None:
    before = snapshot(world)
    for method, path, body in _calls(world):
        response = _send(world, method, path, body, **auth)
        assert response.status_code == 401, (path, response.status_code)
        assert error_of(response)["code"] == "unauthenticated"
    assert snapshot(world) == before


FORBIDDEN = [
    ("officer", "get", "/centres/{centre}/wallet", None),
    ("officer", "get", "/centres/{centre}/wallet/statement", None),
    (
        "finance",
        "post",
        "/centres/{centre}/wallet/topups",
        {"amount_paise": 100, "bank_reference": "UTRROLE1"},
    ),
    (
        "auditor",
        "post",
        "/centres/{centre}/wallet/topups",
        {"amount_paise": 100, "bank_reference": "UTRROLE2"},
    ),
    ("operator", "post", "/topups/{topup}/approve", {}),
    ("supervisor", "post", "/topups/{topup}/approve", {}),
    ("auditor", "post", "/topups/{topup}/reject", {}),
    ("officer", "post", "/applications", "application"),
    ("finance", "post", "/applications", "application"),
    ("auditor", "post", "/applications/{application}/actions", {"action": "approve"}),
]


@pytest.mark.parametrize(("who", "method", "path", "body"), FORBIDDEN)
def test_a_role_that_may_not_act_is_403_and_changes_nothing(
    world: World, who: str, method: str, path: str, body: Any
) -> None:
    if body == "application":
        body = {
            "centre_code": world.centre_code,
            "service_code": world.service_code,
            "citizen": {"name": "A", "mobile": "9830012345"},
            "fields": {"plot_no": "1"},
        }
    path = path.format(
        centre=world.centre_code, topup=world.topup_id, application=world.application_no
    )
    before = snapshot(world)
    response = _send(world, method, path, body, **world.headers(who))
    assert response.status_code == 403, (who, path, response.status_code, response.content[:200])
    assert error_of(response)["code"] == "forbidden" or error_of(response)["code"].endswith(
        "forbidden"
    )
    assert snapshot(world) == before


def _same_404(
    world: World, who: str, hidden: str, missing: str, method: str = "get", body: Any = None
) -> None:
    before = snapshot(world)
    seen = _send(world, method, hidden, body, **world.headers(who))
    absent = _send(world, method, missing, body, **world.headers(who))
    assert seen.status_code == absent.status_code == 404, (seen.content, absent.content)
    assert seen.json() == absent.json()
    error_of(seen)
    assert snapshot(world) == before


def test_another_centres_things_look_missing(world: World) -> None:
    other, nowhere = world.other_centre_code, "NOPE0001"
    _same_404(world, "operator", f"/centres/{other}/wallet", f"/centres/{nowhere}/wallet")
    _same_404(
        world,
        "supervisor",
        f"/centres/{other}/wallet/statement",
        f"/centres/{nowhere}/wallet/statement",
    )
    _same_404(
        world,
        "operator",
        f"/applications/{world.other_application_no}",
        "/applications/BSK-NOPE0001-2627-000001",
    )
    _same_404(
        world,
        "operator",
        f"/centres/{other}/wallet/topups",
        f"/centres/{nowhere}/wallet/topups",
        "post",
        {"amount_paise": 100, "bank_reference": "UTRHIDE1"},
    )


def test_another_departments_application_looks_missing(world: World) -> None:
    missing = "/applications/BSK-NOPE0001-2627-000001"
    _same_404(world, "other_officer", f"/applications/{world.application_no}", missing)
    _same_404(
        world,
        "other_officer",
        f"/applications/{world.application_no}/actions",
        f"{missing}/actions",
        "post",
        {"action": "approve"},
    )


def test_submitting_for_another_centre_looks_like_a_missing_centre(world: World) -> None:
    def body(centre: str) -> dict[str, Any]:
        return {
            "centre_code": centre,
            "service_code": world.service_code,
            "citizen": {"name": "A", "mobile": "9830012345"},
            "fields": {"plot_no": "1"},
        }

    before = snapshot(world)
    hidden = _send(
        world, "post", "/applications", body(world.other_centre_code), **world.headers("operator")
    )
    missing = _send(world, "post", "/applications", body("NOPE0001"), **world.headers("operator"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert snapshot(world) == before


def test_tracking_with_the_wrong_mobile_looks_like_a_missing_number(world: World) -> None:
    # A mobile no factory citizen has (theirs start with 9: the first is 9000000000).
    hidden = world.client.get(
        f"{API}/track", {"application_no": world.application_no, "mobile": "6000000001"}
    )
    missing = world.client.get(
        f"{API}/track", {"application_no": "BSK-NOPE0001-2627-000001", "mobile": "6000000001"}
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
