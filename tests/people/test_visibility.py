"""One visibility policy, every path: for each role, the selectors, the HTML pages, the JSON
API and the CSV exports agree on which centres' wallets and which applications it sees.

The world: district D1 with centres A and B, district D2 with centre C; departments X and
Y; an application at A for X, at B for Y, at C for X; a pending top-up at each centre.
``EXPECTED`` is the policy of ``people.roles`` written out as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from sahayata.applications.models import Application
from sahayata.applications.selectors import application_visible_to, applications_visible
from sahayata.people.models import Role, User
from sahayata.people.roles import application_scope, centre_scope
from sahayata.people.tokens import api_token_create
from sahayata.places.models import Centre
from sahayata.wallet.selectors import centre_visible, centres_visible
from tests.applications.conftest import (  # noqa: F401 - the same autouse fixtures apply here
    _ledger_holds_after_each_test,
    _quiet_side_effects,
)
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import DepartmentFactory, paid_service
from tests.factories.people import UserFactory
from tests.factories.places import BlockFactory, CentreFactory, DistrictFactory
from tests.factories.wallet import TopUpFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"

# role -> (centres whose wallets it sees, applications it sees); "A_X" is the application
# submitted at centre A for department X. A role that sees no wallet gets 403 from the
# wallet endpoints; anything else it may not see is 404.
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "operator_a": ({"A"}, {"A_X"}),
    "supervisor_a": ({"A"}, {"A_X"}),
    "officer_x": (set(), {"A_X", "C_X"}),
    "officer_y": (set(), {"B_Y"}),
    "district_1": ({"A", "B"}, {"A_X", "B_Y"}),
    "finance": ({"A", "B", "C"}, set()),
    "auditor": ({"A", "B", "C"}, {"A_X", "B_Y", "C_X"}),
    "admin": ({"A", "B", "C"}, {"A_X", "B_Y", "C_X"}),
    "inactive_auditor": (set(), set()),
}


@dataclass
class World:
    centres: dict[str, Centre]
    applications: dict[str, Application]
    users: dict[str, User]


@pytest.fixture
def world(db: None) -> World:
    d1, d2 = DistrictFactory(), DistrictFactory()
    centres = {
        "A": CentreFactory(block=BlockFactory(district=d1)),
        "B": CentreFactory(block=BlockFactory(district=d1)),
        "C": CentreFactory(block=BlockFactory(district=d2)),
    }
    counters = {name: counter(centre=centre) for name, centre in centres.items()}
    x, y = DepartmentFactory(), DepartmentFactory()
    service_x, service_y = paid_service(department=x), paid_service(department=y)
    applications = {
        "A_X": submitted(at=counters["A"], service=service_x),
        "B_Y": submitted(at=counters["B"], service=service_y),
        "C_X": submitted(at=counters["C"], service=service_x),
    }
    for name, at in counters.items():
        TopUpFactory(centre=at.centre, requested_by=at.operator, bank_reference=f"UTRVIS{name}")
    users = {
        "operator_a": counters["A"].operator,
        "supervisor_a": UserFactory(role=Role.SUPERVISOR, centre=centres["A"]),
        "officer_x": UserFactory(role=Role.OFFICER, department=x),
        "officer_y": UserFactory(role=Role.OFFICER, department=y),
        "district_1": UserFactory(role=Role.DISTRICT, district=d1),
        "finance": UserFactory(role=Role.FINANCE),
        "auditor": UserFactory(role=Role.AUDITOR),
        "admin": UserFactory(role=Role.ADMIN),
        "inactive_auditor": UserFactory(role=Role.AUDITOR, is_active=False),
    }
    return World(centres=centres, applications=applications, users=users)


def _name_of(world: World, code: str) -> str:
    return next(name for name, centre in world.centres.items() if centre.code == code)


def _api(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _wallet_statuses(world: World, who: str, user: User) -> dict[str, set[int]]:
    """Every wallet path's status for each centre: {path: {statuses}} by visible/hidden."""
    api, pages = Client(), _browser(user)
    auth = _api(user)
    found: dict[str, set[int]] = {}
    for name, centre in world.centres.items():
        code = centre.code
        responses = {
            "api wallet": api.get(f"{API}/centres/{code}/wallet", **auth),
            "api statement": api.get(f"{API}/centres/{code}/wallet/statement", **auth),
            "api statement csv": api.get(
                f"{API}/centres/{code}/wallet/statement?format=csv", **auth
            ),
            "page wallet": pages.get(f"/wallet/?centre={code}"),
            "page statement": pages.get(f"/wallet/statement/?centre={code}"),
            "page statement csv": pages.get(f"/wallet/statement/?centre={code}&format=csv"),
        }
        for path, response in responses.items():
            found.setdefault(f"{path} {name}", set()).add(response.status_code)
            if response.status_code == 200 and "csv" in path:
                assert response["Content-Type"].startswith("text/csv"), (who, path)
    return found


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_wallet_path_agrees_with_the_centre_policy(world: World, who: str) -> None:
    user = world.users[who]
    centres, _ = EXPECTED[who]
    scope = centre_scope(user)

    # The selectors: the query and the one-centre check.
    listed = {
        _name_of(world, c.code) for c in centres_visible(user=user) if c in world.centres.values()
    }
    assert listed == centres, who
    for name, centre in world.centres.items():
        assert (centre_visible(user=user, code=centre.code) is not None) == (name in centres)
        assert scope.covers(centre_id=centre.pk, district_id=centre.district_id) == (
            name in centres
        )

    # The pages, the API and the CSV exports. An inactive user has no working token (401)
    # and no session (login redirect): it sees nothing either way.
    hidden = 403 if scope.nothing else 404
    for key, statuses in _wallet_statuses(world, who, user).items():
        name = key.rsplit(" ", 1)[1]
        if not user.is_active:
            assert statuses <= {401, 302}, (who, key, statuses)
        elif name in centres:
            assert statuses == {200}, (who, key, statuses)
        else:
            assert statuses == {hidden}, (who, key, statuses)


@pytest.mark.parametrize("who", sorted(set(EXPECTED) - {"inactive_auditor"}))
def test_the_topup_queue_is_state_wide_readers_only(world: World, who: str) -> None:
    user = world.users[who]
    centres, _ = EXPECTED[who]
    api = Client().get(f"{API}/topups", **_api(user))
    page = _browser(user).get("/wallet/topups/")
    if not centre_scope(user).everything:
        # The queue is state-wide: a centre's staff see their top-ups on the wallet page,
        # a district nodal officer those of the district's centres on the district console.
        assert api.status_code == page.status_code == 403, who
        return
    assert api.status_code == page.status_code == 200, who
    listed = {_name_of(world, item["centre"]) for item in api.json()["items"]}
    assert listed == centres, who
    html = page.content.decode()
    assert {name for name in world.centres if f"UTRVIS{name}" in html} == centres, who


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_application_path_agrees_with_the_application_policy(world: World, who: str) -> None:
    user = world.users[who]
    _, visible = EXPECTED[who]
    numbers = {app.number: name for name, app in world.applications.items()}

    listed = {numbers[a.number] for a in applications_visible(user) if a.number in numbers}
    assert listed == visible, who
    api, pages = Client(), _browser(user)
    auth = _api(user)
    for name, application in world.applications.items():
        fresh = Application.objects.get(pk=application.pk)  # no centre loaded beforehand
        assert application_visible_to(user, fresh) == (name in visible), (who, name)
        assert application_scope(user).covers(
            centre_id=fresh.centre_id,
            district_id=fresh.centre.district_id,
            department_id=fresh.department_id,
        ) == (name in visible)
        statuses = {
            "api": api.get(f"{API}/applications/{application.number}", **auth).status_code,
            "page": pages.get(f"/applications/{application.number}/").status_code,
            "acknowledgement": pages.get(
                f"/applications/{application.number}/acknowledgement/"
            ).status_code,
        }
        if not user.is_active:
            assert statuses["api"] == 401 and statuses["page"] == 302, (who, statuses)
        elif name in visible:
            assert set(statuses.values()) == {200}, (who, name, statuses)
        else:
            # A role that sees no application at all is refused, as with wallets.
            hidden = 403 if application_scope(user).nothing else 404
            assert set(statuses.values()) == {hidden}, (who, name, statuses)
            body = api.get(f"{API}/applications/{application.number}", **auth).json()
            missing = api.get(f"{API}/applications/BSK-NOPE-2025-000001", **auth).json()
            assert body == missing  # hidden looks exactly like missing


def test_the_policy_table_covers_every_role() -> None:
    assert {who.split("_")[0] for who in EXPECTED} - {"inactive"} == set(Role.values)


def test_a_scope_query_and_its_row_check_agree(world: World) -> None:
    """For every user and every application, ``Scope.q`` (SQL) and ``Scope.covers``
    (Python) say the same: the one rule, evaluated in two places."""
    for user in world.users.values():
        scope = application_scope(user)
        in_sql = set(Application.objects.filter(scope.q()).values_list("pk", flat=True))
        for application in Application.objects.select_related("centre"):
            in_python = scope.covers(
                centre_id=application.centre_id,
                district_id=application.centre.district_id,
                department_id=application.department_id,
            )
            assert in_python == (application.pk in in_sql), (user.role, application.number)
