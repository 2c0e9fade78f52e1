"""The permission policy, tried: generated from ``people.policy``'s table.

Every URL pattern of the site (walked from the resolver) and every operation of the JSON
API (read from its OpenAPI document) must have an ``ENDPOINTS`` entry and a probe here,
else the build fails. Each probe is then tried by anonymous, by every role at home (its
centre, district or department owns the objects) and by users of *another* centre,
district and department, against real objects made by the factories: an application,
a centre's wallet, a citizen, a top-up, a certificate and a document.

What the table says, the answer must be: allowed is the probe's success status; a role
with no reach is 403 (anonymous: the login page, 401 in the API); an object outside the
reach is 404, and a list page whose reach is limited shows nothing outside it (the other
centre's application number, citizen and top-up reference never appear).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sahayata.applications.documents import Upload
from sahayata.applications.models import Application
from sahayata.applications.services import application_act
from sahayata.catalogue.models import Department
from sahayata.certificates.models import Certificate
from sahayata.people import policy
from sahayata.people.models import Citizen, Role, User
from sahayata.people.policy import Reach, Subject
from sahayata.people.tokens import api_token_create
from sahayata.places.models import Centre
from sahayata.site.api import api
from sahayata.transparency.models import Milestone
from sahayata.wallet.models import TopUp
from tests.applications.conftest import (  # noqa: F401 - the same autouse fixtures apply here
    _ledger_holds_after_each_test,
    _quiet_side_effects,
)
from tests.factories.applications import certificate_service, counter, submitted
from tests.factories.catalogue import DepartmentFactory, free_service, paid_service
from tests.factories.people import CitizenFactory, UserFactory
from tests.factories.places import BlockFactory, CentreFactory, DistrictFactory
from tests.factories.wallet import TopUpFactory

API = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LOGIN = "login"  # the expected outcome of an anonymous visitor on a staff page
ADMIN_LOGIN = "admin login"  # the Django admin sends everyone but its staff to its login


# --- Who tries -------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    label: str
    role: str | None  # None: anonymous
    home: bool = True  # False: a user of another centre, district or department


WHO: list[Who] = [Who("anonymous", None)]
WHO += [Who(str(role), str(role)) for role in Role.values]
# The roles whose reach is measured by a place get a second user, somewhere else.
WHO += [
    Who(f"{role}_other", str(role), home=False)
    for role in (Role.OPERATOR, Role.SUPERVISOR, Role.OFFICER, Role.DISTRICT)
]


# --- The world -------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    centre_id: int | None = None
    district_id: int | None = None
    department_id: int | None = None


@dataclass
class World:
    centre: Centre  # centre A, district 1: everything probed belongs here (department X)
    other_centre: Centre  # centre B, district 2 (department Y)
    citizen: Citizen
    certificate: Certificate
    application: Application  # approved, with its certificate and a document
    pending: Application  # pending approval (an officer's step)
    returned: Application  # returned for correction (the counter's step)
    document_id: int
    topup: TopUp
    milestone: Milestone
    service_code: str
    users: dict[str, User]
    tokens: dict[str, str]
    # What a user outside the reach must never be shown: marker -> where it belongs.
    markers: dict[str, Place] = field(default_factory=dict)
    department_markers: dict[str, Place] = field(default_factory=dict)

    def place(self, target: str) -> Place | None:
        """The place of a probe's object (None: a citizen, whom no place confines)."""
        if target == "citizen":
            return None
        if target == "centre":
            return Place(self.centre.pk, self.centre.district_id)
        return Place(self.centre.pk, self.centre.district_id, self.application.department_id)


def _place_of(application: Application) -> Place:
    return Place(application.centre_id, application.centre.district_id, application.department_id)


@pytest.fixture
def world(db: None) -> World:
    d1, d2 = DistrictFactory(), DistrictFactory()
    a = CentreFactory(code="PRMA0001", block=BlockFactory(district=d1))
    b = CentreFactory(code="PRMB0001", block=BlockFactory(district=d2))
    at_a, at_b = counter(centre=a), counter(centre=b)
    x = DepartmentFactory(name_en="Department Xavier", name_bn="দপ্তর জাভিয়ের")
    y = DepartmentFactory(name_en="Department Yamuna", name_bn="দপ্তর যমুনা")
    officer_x, officer_x2 = (UserFactory(role=Role.OFFICER, department=x) for _ in range(2))
    citizen_a = CitizenFactory(name_en="Zeta Anwesha", name_bn="জেটা অন্বেষা", registered_centre=a)
    citizen_b = CitizenFactory(name_en="Zeta Bipasha", name_bn="জেটা বিপাশা", registered_centre=b)

    certified = certificate_service(department=x)
    application = submitted(
        at=at_a,
        service=certified,
        citizen=citizen_a,
        documents=[Upload(code="identity", name="id.png", content=PNG)],
    )
    application_act(application=application, action="verify", actor=officer_x2)
    application_act(application=application, action="approve", actor=officer_x)
    pending = submitted(at=at_a, service=paid_service(department=x), citizen=citizen_a)
    returned = submitted(at=at_a, service=free_service(department=x), citizen=citizen_a)
    application_act(application=returned, action="return", actor=officer_x, comment="Sign it")
    returned.refresh_from_db()
    elsewhere = submitted(at=at_b, service=paid_service(department=y), citizen=citizen_b)

    topup = TopUpFactory(centre=a, requested_by=at_a.operator, bank_reference="UTRPRMA00001")
    TopUpFactory(centre=b, requested_by=at_b.operator, bank_reference="UTRPRMB00001")
    milestone = Milestone.objects.create(
        metric=Milestone.Metric.PAISE,
        threshold=1_000,
        crossed_at=timezone.now(),
        value_after=1_500,
        centre_id=a.pk,
        service_id=certified.pk,
    )
    users = {
        "operator": at_a.operator,
        "supervisor": UserFactory(role=Role.SUPERVISOR, centre=a),
        "officer": officer_x,
        "district": UserFactory(role=Role.DISTRICT, district=d1),
        "finance": UserFactory(role=Role.FINANCE),
        "auditor": UserFactory(role=Role.AUDITOR),
        "admin": UserFactory(role=Role.ADMIN),
        "operator_other": at_b.operator,
        "supervisor_other": UserFactory(role=Role.SUPERVISOR, centre=b),
        "officer_other": UserFactory(role=Role.OFFICER, department=y),
        "district_other": UserFactory(role=Role.DISTRICT, district=d2),
    }
    at_a_place, at_b_place = _place_of(application), _place_of(elsewhere)
    markers = {
        application.number: at_a_place,
        pending.number: at_a_place,
        elsewhere.number: at_b_place,
        # A citizen's name is data of their applications: A's are all at centre A in
        # department X, B's at centre B in department Y (an officer of X sees A's name).
        "Zeta Anwesha": at_a_place,
        "Zeta Bipasha": at_b_place,
        "UTRPRMA00001": Place(a.pk, d1.pk),
        "UTRPRMB00001": Place(b.pk, d2.pk),
    }
    # A department's name is data of the report where its applications are: X's are all
    # at centre A, Y's at centre B.
    department_markers = {"Department Xavier": at_a_place, "Department Yamuna": at_b_place}
    return World(
        centre=a,
        other_centre=b,
        citizen=citizen_a,
        certificate=Certificate.objects.get(application=application),
        application=application,
        pending=pending,
        returned=returned,
        document_id=application.documents.get().pk,
        topup=topup,
        milestone=milestone,
        service_code=certified.code,
        users=users,
        tokens={label: api_token_create(user=user) for label, user in users.items()},
        markers=markers,
        department_markers=department_markers,
    )


# --- The probes: one request per endpoint, with its success status ---------------------

Build = Callable[[World, Who], Any]


@dataclass(frozen=True)
class Probe:
    endpoint: str  # the ENDPOINTS key
    method: str
    url: Callable[[World], str]
    data: Build | None = None
    ok: tuple[int, ...] = (200,)
    target: str | None = None  # "application", "centre", "citizen": what the URL names
    departments: bool = False  # department names are data here (reports by department)

    @property
    def is_api(self) -> bool:
        return self.endpoint.split(" ", 1)[0] in ("GET", "POST")


def _page(endpoint: str, url: str | Callable[[World], str], **kwargs: Any) -> Probe:
    return Probe(endpoint, kwargs.pop("method", "GET"), _url(url), **kwargs)


def _api(endpoint: str, url: str | Callable[[World], str] | None = None, **kwargs: Any) -> Probe:
    method, path = endpoint.split(" ", 1)
    return Probe(endpoint, method, _url(url or path), **kwargs)


def _url(url: str | Callable[[World], str]) -> Callable[[World], str]:
    return url if callable(url) else (lambda _world: url)


def _citizen_in(world: World, who: Who) -> dict[str, Any]:
    return {"name": "Probe Citizen", "mobile": "9830099999"}


def _act(world: World, who: Who) -> dict[str, Any]:
    # The workflow's own step for the role: an officer approves, the counter resubmits.
    if who.role == Role.OFFICER:
        return {"action": "approve"}
    return {"action": "resubmit"}


def _act_url(world: World) -> str:
    return f"{API}/applications/{{number}}/actions"


PROBES: list[Probe] = [
    # Public pages
    _page("healthz", "/healthz"),
    _page("readyz", "/readyz"),
    _page("home", "/"),
    _page(
        "set_language",
        "/i18n/setlang/",
        method="POST",
        data=lambda w, u: {"language": "en"},
        ok=(302,),
    ),
    _page("login", "/accounts/login/"),
    _page("favicon", "/favicon.ico", ok=(301,)),  # to the bundled static icon
    _page("logout", "/accounts/logout/", method="POST", ok=(302,)),
    _page("password_reset", "/accounts/password_reset/"),
    _page("password_reset_done", "/accounts/password_reset/done/"),
    _page("password_reset_confirm", "/accounts/reset/MQ/abc-def/"),
    _page("password_reset_complete", "/accounts/reset/done/"),
    _page("applications:track", "/track/"),
    _page("certificates:verify", "/verify/"),
    _page("certificates:public_key", "/verify/public-key"),
    _page("certificates:verify_id", lambda w: f"/verify/{w.certificate.id}"),
    _page("ledgerlog:log", "/dashboard/log/"),
    _page("ledgerlog:verifier", "/dashboard/log/verify_log.py"),
    _page("transparency:dashboard", "/dashboard/"),
    _page("transparency:download", "/dashboard/data/summary.csv"),
    _page("transparency:milestone", lambda w: f"/dashboard/milestones/{w.milestone.pk}/"),
    _page(
        "transparency:milestone_card", lambda w: f"/dashboard/milestones/{w.milestone.pk}/card.svg"
    ),
    # Staff pages
    _page("password_change", "/accounts/password_change/"),
    # The second factor's pages: a step of their own for finance and administrators, a
    # redirect onwards for a role that needs none (or before the step that comes first).
    _page("people:otp_verify", "/accounts/two-factor/", ok=(200, 302)),
    _page("people:otp_enrol", "/accounts/two-factor/enrol/", ok=(200, 302)),
    _page("people:otp_recovery_codes", "/accounts/two-factor/recovery-codes/", ok=(200, 302)),
    _page("password_change_done", "/accounts/password_change/done/"),
    _page("consoles:start", "/start/", ok=(302,)),
    _page("applications:counter", "/counter/", method="POST", data=lambda w, u: {"q": "Zeta"}),
    _page(
        "applications:citizen_new",
        "/counter/citizens/new",
        method="POST",
        data=lambda w, u: {"name_en": "Probe Citizen", "mobile": "9830099998"},
        ok=(302,),
    ),
    _page(
        "applications:counter_services",
        lambda w: f"/counter/citizens/{w.citizen.public_id}/",
        target="citizen",
    ),
    _page(
        "applications:counter_apply",
        lambda w: f"/counter/citizens/{w.citizen.public_id}/apply/{w.service_code}/?t={'t' * 32}",
        target="citizen",
    ),
    _page("applications:operator_day", "/counter/today/"),
    _page(
        "applications:detail",
        lambda w: f"/applications/{w.application.number}/",
        target="application",
    ),
    _page(
        "applications:acknowledgement",
        lambda w: f"/applications/{w.application.number}/acknowledgement/",
        target="application",
    ),
    _page(
        "applications:document",
        lambda w: f"/applications/{w.application.number}/documents/{w.document_id}/",
        target="application",
    ),
    _page("applications:inbox", "/inbox/", departments=True),
    _page("applications:rtps", "/rtps/", departments=True),
    _page(
        "certificates:certificate",
        lambda w: f"/certificates/{w.certificate.id}/",
        target="application",
    ),
    _page(
        "certificates:revoke",
        lambda w: f"/certificates/{w.certificate.id}/revoke",
        method="POST",
        data=lambda w, u: {"reason": "Issued on forged papers"},
        ok=(302,),
        target="application",
    ),
    _page("consoles:district", "/district/"),
    _page("consoles:audit", "/audit/"),
    _page("consoles:audit_checks", "/audit/checks/", method="POST", ok=(302,)),
    _page("consoles:audit_trail", "/audit/trail/"),
    _page("consoles:audit_trail_csv", "/audit/trail.csv"),
    _page("wallet:home", lambda w: f"/wallet/?centre={w.centre.code}", target="centre"),
    _page(
        "wallet:statement", lambda w: f"/wallet/statement/?centre={w.centre.code}", target="centre"
    ),
    _page("wallet:topups", "/wallet/topups/"),
    _page(
        "wallet:approve",
        lambda w: f"/wallet/topups/{w.topup.pk}/approve/",
        method="POST",
        ok=(302,),
        target="centre",
    ),
    _page(
        "wallet:reject",
        lambda w: f"/wallet/topups/{w.topup.pk}/reject/",
        method="POST",
        data=lambda w, u: {"reason": "No such credit in the bank statement"},
        ok=(302,),
        target="centre",
    ),
    _page("admin:*", "/admin/"),
    _page("admin:*", "/admin/people/citizen/"),
    _page("admin:*", lambda w: f"/admin/people/citizen/{w.citizen.pk}/change/"),
    _page("admin:*", "/admin/wallet/topup/"),
    # JSON API
    _api("GET /api/v1/", f"{API}/", ok=(404,)),  # Ninja's root: nothing there, for anyone
    _api("GET /api/v1/openapi.json"),
    _api("GET /api/v1/docs"),
    _api("GET /api/v1/services"),
    _api("GET /api/v1/centres"),
    _api(
        "GET /api/v1/centres/{code}/wallet",
        lambda w: f"{API}/centres/{w.centre.code}/wallet",
        target="centre",
    ),
    _api(
        "GET /api/v1/centres/{code}/wallet/statement",
        lambda w: f"{API}/centres/{w.centre.code}/wallet/statement",
        target="centre",
    ),
    _api(
        "POST /api/v1/centres/{code}/wallet/topups",
        lambda w: f"{API}/centres/{w.centre.code}/wallet/topups",
        data=lambda w, u: {"amount_paise": 100_000, "bank_reference": "UTRPROBE0001"},
        ok=(201,),
        target="centre",
    ),
    _api("GET /api/v1/topups"),
    _api(
        "POST /api/v1/topups/{topup_id}/approve",
        lambda w: f"{API}/topups/{w.topup.pk}/approve",
        data=lambda w, u: {},
        target="centre",
    ),
    _api(
        "POST /api/v1/topups/{topup_id}/reject",
        lambda w: f"{API}/topups/{w.topup.pk}/reject",
        data=lambda w, u: {"reason": "No such credit in the bank statement"},
        target="centre",
    ),
    _api(
        "POST /api/v1/applications",
        f"{API}/applications",
        data=lambda w, u: {
            "centre_code": w.centre.code,
            "service_code": w.service_code,
            "citizen": _citizen_in(w, u),
            "fields": {"father_name": "Ramesh Das"},
        },
        ok=(201,),
        target="centre",
    ),
    _api(
        "GET /api/v1/applications/{application_no}",
        lambda w: f"{API}/applications/{w.application.number}",
        target="application",
    ),
    _api(
        "POST /api/v1/applications/{application_no}/actions",
        lambda w: _act_url(w),
        data=_act,
        target="application",
    ),
    _api(
        "GET /api/v1/track",
        lambda w: f"{API}/track?application_no={w.application.number}&mobile={w.citizen.mobile}",
    ),
    _api(
        "POST /api/v1/track",
        f"{API}/track",
        data=lambda w, u: {"application_no": w.application.number, "mobile": w.citizen.mobile},
    ),
    _api(
        "GET /api/v1/certificates/{certificate_id}/verify",
        lambda w: f"{API}/certificates/{w.certificate.id}/verify",
    ),
    _api("GET /api/v1/transparency/summary"),
    _api("GET /api/v1/transparency/log/heads/latest", ok=(404,)),
    _api("GET /api/v1/transparency/log/heads"),
    _api("GET /api/v1/transparency/log/public-keys"),
    _api("GET /api/v1/transparency/log/proof", ok=(422,)),
    _api("GET /api/v1/transparency/log/consistency", ok=(422,)),
]


# --- What the table expects -------------------------------------------------------------


def _covers(reach: Reach, user: User, place: Place | None) -> bool:
    """Whether ``reach`` from ``user``'s own place takes in ``place`` (None: anyone's)."""
    if reach is Reach.ALL or place is None:
        return reach is not Reach.NONE
    if reach is Reach.CENTRE:
        return user.centre_id is not None and user.centre_id == place.centre_id
    if reach is Reach.DISTRICT:
        return user.district_id is not None and user.district_id == place.district_id
    if reach is Reach.DEPARTMENT:
        return user.department_id is not None and user.department_id == place.department_id
    return False


def _expected(probe: Probe, who: Who, world: World) -> tuple[Any, ...]:
    action = policy.ACTIONS[policy.ENDPOINTS[probe.endpoint]]
    if action.public:
        return probe.ok
    if who.role is None:
        if probe.endpoint == "admin:*":
            return (ADMIN_LOGIN,)
        return (401,) if probe.is_api else (LOGIN,)
    reach = action.reach_of(who.role)
    if reach is Reach.NONE:
        return (ADMIN_LOGIN,) if probe.endpoint == "admin:*" else (403,)
    if probe.target is not None:
        user = world.users[who.label]
        if not _covers(reach, user, world.place(probe.target)):
            return (404,)
    return probe.ok


def _outcome(response: HttpResponse, probe: Probe) -> Any:
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/accounts/login/"):
        return LOGIN
    if response.status_code == 302 and location.startswith("/admin/login/"):
        return ADMIN_LOGIN
    return response.status_code


def _leaks(body: str, probe: Probe, who: Who, world: World) -> list[str]:
    """The markers of objects outside the user's reach for a list page that shows them."""
    action = policy.ACTIONS[policy.ENDPOINTS[probe.endpoint]]
    if action.public or action.subject is not Subject.NOTHING or who.role is None:
        return []
    reach = action.reach_of(who.role)
    if reach in (Reach.ALL, Reach.NONE):
        return []
    user = world.users[who.label]
    markers = dict(world.markers)
    if probe.departments:
        markers.update(world.department_markers)
    return [
        marker
        for marker, place in markers.items()
        if marker in body and not _covers(reach, user, place)
    ]


def _try(probe: Probe, who: Who, world: World) -> tuple[Any, str]:
    """One request, rolled back afterwards so that every try meets the same world."""
    url = probe.url(world)
    if "{number}" in url:
        target = world.pending if who.role == Role.OFFICER else world.returned
        url = url.replace("{number}", target.number)
    data = probe.data(world, who) if probe.data else None
    client = Client()
    client.cookies["django_language"] = "en"
    headers: dict[str, str] = {}
    with transaction.atomic():
        if probe.is_api:
            if who.role is not None:
                headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[who.label]}"
            headers["HTTP_ACCEPT_LANGUAGE"] = "en"
            if probe.method == "POST":
                headers["HTTP_IDEMPOTENCY_KEY"] = str(uuid.uuid4())
                response = client.post(
                    url, json.dumps(data or {}), content_type="application/json", **headers
                )
            else:
                response = client.get(url, **headers)
        else:
            if who.role is not None:
                client.force_login(world.users[who.label])
            response = client.post(url, data or {}) if probe.method == "POST" else client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)
    return _outcome(response, probe), body.decode("utf-8", errors="replace")


# --- The tests --------------------------------------------------------------------------


def _site_endpoints() -> set[str]:
    """Every named URL pattern of the site ("namespace:name"), the admin as "admin:*"."""
    found: set[str] = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    found.add("admin:*")
                elif pattern.namespace in ("api-v1",) or pattern.app_name == "ninja":
                    continue  # the API is checked operation by operation below
                else:
                    inner = pattern.namespace or namespace
                    walk(
                        pattern,
                        f"{namespace}:{inner}" if namespace and pattern.namespace else inner,
                    )
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"a URL pattern without a name: {pattern.pattern}"
                found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(), "")
    return found


def _api_endpoints() -> set[str]:
    """Every operation of the OpenAPI document, and the API's own pages (document, docs,
    root); the catch-all that answers unknown paths in the error shape names nothing."""
    found = {
        f"{method.upper()} {path}"
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    ninja_pages = {"openapi-json": "openapi.json", "openapi-view": "docs", "api-root": ""}
    patterns, _app, _namespace = api.urls
    for pattern in patterns:
        if pattern.name in ninja_pages:
            found.add(f"GET {API}/{ninja_pages[pattern.name]}")
    return found


def test_every_endpoint_of_the_site_and_the_api_is_in_the_table() -> None:
    endpoints = _site_endpoints() | _api_endpoints()
    missing = sorted(endpoints - set(policy.ENDPOINTS))
    assert not missing, f"endpoints with no entry in people.policy.ENDPOINTS: {missing}"
    stale = sorted(set(policy.ENDPOINTS) - endpoints)
    assert not stale, f"entries in people.policy.ENDPOINTS that name no endpoint: {stale}"
    unknown = sorted({code for code in policy.ENDPOINTS.values() if code not in policy.ACTIONS})
    assert not unknown, f"ENDPOINTS names actions the table lacks: {unknown}"


def test_every_endpoint_has_a_probe() -> None:
    probed = {probe.endpoint for probe in PROBES}
    assert probed == set(policy.ENDPOINTS), sorted(set(policy.ENDPOINTS) ^ probed)
    # Every action with a subject is tried against an object of that kind, and only those.
    for probe in PROBES:
        action = policy.ACTIONS[policy.ENDPOINTS[probe.endpoint]]
        if not action.public and action.subject is Subject.NOTHING:
            assert probe.target is None, probe.endpoint
        if action.subject is not Subject.NOTHING and not action.public:
            assert probe.target is not None, probe.endpoint


def tries_planned() -> int:
    return len(PROBES) * len(WHO)


def test_the_count_of_tries(record_property: Any) -> None:
    """role × endpoint combinations tried (SECURITY.md quotes this line)."""
    count = tries_planned()
    record_property("policy_tries", count)
    print(json.dumps({"policy_tries": count, "probes": len(PROBES), "users": len(WHO)}))
    assert count == sum(1 for _ in _plan(None))


def _plan(action_code: str | None) -> Iterator[tuple[Probe, Who]]:
    for probe in PROBES:
        if action_code is None or policy.ENDPOINTS[probe.endpoint] == action_code:
            for who in WHO:
                yield probe, who


@pytest.mark.django_db
@pytest.mark.parametrize("action_code", sorted({policy.ENDPOINTS[p.endpoint] for p in PROBES}))
def test_every_role_gets_what_the_table_says(world: World, action_code: str) -> None:
    wrong: list[str] = []
    for probe, who in _plan(action_code):
        outcome, body = _try(probe, who, world)
        expected = _expected(probe, who, world)
        url = probe.url(world)
        if outcome not in expected:
            wrong.append(f"{who.label} {probe.method} {url}: {outcome}, expected {expected}")
            continue
        leaks = _leaks(body, probe, who, world)
        if leaks:
            wrong.append(f"{who.label} {probe.method} {url}: shows {leaks} outside its reach")
        if outcome == 404:  # "not found" shows nothing of it (the URL asked may be echoed)
            for marker in world.markers:
                assert marker not in body or marker in url, (who.label, url, marker)
    assert not wrong, "\n".join(wrong)


def test_the_world_is_what_the_probes_assume(world: World) -> None:
    # The objects are where the table's reach is measured from: centre A of district 1,
    # department X; the "other" users are of centre B, district 2, department Y.
    assert world.application.centre_id == world.centre.pk
    assert world.users["operator"].centre_id == world.centre.pk
    assert world.users["operator_other"].centre_id == world.other_centre.pk
    assert world.users["district"].district_id == world.centre.district_id
    assert world.users["district_other"].district_id == world.other_centre.district_id
    assert world.users["officer"].department_id == world.application.department_id
    assert world.users["officer_other"].department_id != world.application.department_id
    assert Department.objects.count() >= 2
    assert world.pending.status == "pending_approval" and world.returned.status == "returned"


# --- Privacy: no public answer shows a citizen's mobile number ---------------------------

PUBLIC_LOOKUPS: list[Probe] = [
    # The lookups that take the mobile: their answers must not give it back either.
    _page(
        "applications:track",
        "/track/",
        method="POST",
        data=lambda w, u: {"application_no": w.application.number, "mobile": w.citizen.mobile},
    ),
    _page("certificates:verify", lambda w: f"/verify/?id={w.certificate.id}", ok=(302,)),
    _page("transparency:download", "/dashboard/data/services.csv"),
    _page("transparency:download", "/dashboard/data/districts.json"),
]


def test_no_public_page_or_api_answer_shows_a_mobile_number(world: World) -> None:
    """Every public endpoint (from the table) and the lookups that take a mobile, asked
    anonymously about the world's citizen: the full number appears in none of them, at
    most its last four digits."""
    anonymous = WHO[0]
    mobile = world.citizen.mobile
    public = [p for p in PROBES if policy.ACTIONS[policy.ENDPOINTS[p.endpoint]].public]
    assert len(public) > 30  # every public page and API operation
    tried = 0
    for probe in public + PUBLIC_LOOKUPS:
        outcome, body = _try(probe, anonymous, world)
        assert outcome in probe.ok, (probe.endpoint, outcome)
        assert mobile not in body, probe.url(world)
        assert mobile not in body.replace(" ", "").replace("-", ""), probe.url(world)
        tried += 1
    # The tracking answer is about this application: it names it, not the citizen's number.
    _status, tracked = _try(PUBLIC_LOOKUPS[0], anonymous, world)
    assert world.application.number in tracked
    api_probe = next(p for p in PROBES if p.endpoint == "POST /api/v1/track")
    _status, answer = _try(api_probe, anonymous, world)
    assert json.loads(answer)["application_no"] == world.application.number
    assert tried == len(public) + len(PUBLIC_LOOKUPS)
