"""The permission policy: one table of every role against every action, with its reach.

``ACTIONS`` says, for each action (a service, a page, an API endpoint's purpose), how far
each role reaches: nowhere, its own centre, its own district, its own department, or the
whole state. ``ENDPOINTS`` names the action behind every URL pattern and every operation
of the JSON API; ``tests/people/test_policy.py`` tries each of them as every role and as
users of another centre, district and department, and fails on any endpoint without an
entry here. ``PERMISSIONS.md`` is this table rendered (``manage.py permissions_doc``).

Enforcement goes through ``reach``/``scope``/``require``: ``people.roles`` derives the
centre and application scopes from here, so the selectors that every view, the API and
the exports call answer only what the table allows. Outside the reach is "not found".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from sahayata.core.errors import PermissionDenied
from sahayata.people.models import Role, User
from sahayata.people.roles import EVERYTHING, NOTHING, Scope


class Reach(enum.StrEnum):
    NONE = "none"
    CENTRE = "own centre"
    DISTRICT = "own district"
    DEPARTMENT = "own department"
    ALL = "all"


class Subject(enum.StrEnum):
    """What an action is about, and so which of the user's places its reach is measured by."""

    NOTHING = "nothing"  # a page or a list with no one record named in the URL
    CENTRE = "centre"  # a centre's wallet, statement or top-ups
    APPLICATION = "application"  # an application, its documents, acknowledgement, certificate
    CITIZEN = "citizen"  # a citizen, by its unguessable public id


@dataclass(frozen=True)
class Action:
    code: str
    subject: Subject
    description: Any  # lazy translation
    reaches: dict[str, Reach]
    public: bool = False  # anyone, without logging in

    def reach_of(self, role: str) -> Reach:
        return self.reaches.get(role, Reach.NONE)


C, DI, DE, ALL = Reach.CENTRE, Reach.DISTRICT, Reach.DEPARTMENT, Reach.ALL


def _action(
    code: str, subject: Subject, description: Any, public: bool = False, **reaches: Reach
) -> Action:
    return Action(code, subject, description, {Role(k): v for k, v in reaches.items()}, public)


_TABLE = [
    _action(
        "public.page",
        Subject.NOTHING,
        _("Public pages: home, dashboard, log, verification, tracking, login"),
        public=True,
    ),
    _action(
        "public.api",
        Subject.NOTHING,
        _("Public API: catalogue, centres, tracking, verification, transparency"),
        public=True,
    ),
    _action(
        "staff.start",
        Subject.NOTHING,
        _("Land on one's own console after login"),
        operator=ALL,
        supervisor=ALL,
        officer=ALL,
        district=ALL,
        finance=ALL,
        auditor=ALL,
        admin=ALL,
    ),
    _action(
        "wallet.view",
        Subject.CENTRE,
        _("See a centre's wallet, statement and its CSV"),
        operator=C,
        supervisor=C,
        district=DI,
        finance=ALL,
        auditor=ALL,
        admin=ALL,
    ),
    _action(
        "topup.request",
        Subject.CENTRE,
        _("Ask for a top-up of a centre's wallet"),
        operator=C,
        supervisor=C,
    ),
    _action(
        "topup.queue",
        Subject.NOTHING,
        _("See the state's top-up queue and decisions"),
        finance=ALL,
        auditor=ALL,
        admin=ALL,
    ),
    _action(
        "topup.decide",
        Subject.CENTRE,
        _("Approve or reject a top-up (not one's own request)"),
        finance=ALL,
    ),
    _action(
        "citizen.find_exact",
        Subject.NOTHING,
        _("Find a citizen by the exact mobile or Aadhaar number"),
        operator=ALL,
        supervisor=ALL,
    ),
    _action(
        "citizen.find_by_name",
        Subject.NOTHING,
        _("Find a citizen by name or the last digits of the mobile"),
        operator=C,
        supervisor=C,
    ),
    _action(
        "citizen.register", Subject.NOTHING, _("Register a citizen at the counter"), operator=C
    ),
    _action(
        "citizen.open",
        Subject.CITIZEN,
        _("Open a citizen found (by an unguessable id) to choose a service"),
        operator=ALL,
        supervisor=ALL,
    ),
    _action(
        "application.submit",
        Subject.CITIZEN,
        _("Submit an application, holding its fee"),
        operator=C,
    ),
    _action(
        "application.view",
        Subject.APPLICATION,
        _("See an application, its documents, acknowledgement and certificate"),
        operator=C,
        supervisor=C,
        officer=DE,
        district=DI,
        auditor=ALL,
        admin=ALL,
    ),
    _action(
        "application.act",
        Subject.APPLICATION,
        _("Take a workflow step (the workflow names the steps of each role)"),
        operator=C,
        supervisor=C,
        officer=DE,
    ),
    _action(
        "counter.day",
        Subject.NOTHING,
        _("The centre's day: applications and collection"),
        operator=C,
        supervisor=C,
    ),
    _action("inbox.view", Subject.NOTHING, _("The department's queue of applications"), officer=DE),
    _action(
        "rtps.view",
        Subject.NOTHING,
        _("The RTPS time-limit report"),
        supervisor=C,
        officer=DE,
        district=DI,
        auditor=ALL,
        admin=ALL,
    ),
    _action(
        "district.console", Subject.NOTHING, _("The district nodal officer's console"), district=DI
    ),
    _action(
        "audit.console",
        Subject.NOTHING,
        _("The auditor's console and its read-only checks"),
        auditor=ALL,
        admin=ALL,
    ),
    _action(
        "certificate.revoke",
        Subject.APPLICATION,
        _("Revoke an issued certificate"),
        officer=DE,
        admin=ALL,
    ),
    _action("admin.site", Subject.NOTHING, _("The Django admin"), admin=ALL),
]
ACTIONS: dict[str, Action] = {action.code: action for action in _TABLE}


# Every URL pattern (by its name) and every API operation (METHOD path) -> its action.
ENDPOINTS: dict[str, str] = {
    # Public pages
    "healthz": "public.page",
    "readyz": "public.page",
    "home": "public.page",
    "set_language": "public.page",
    "login": "public.page",
    "logout": "public.page",
    "people:otp_verify": "staff.start",
    "people:otp_enrol": "staff.start",
    "people:otp_recovery_codes": "staff.start",
    "password_change": "staff.start",
    "password_change_done": "staff.start",
    "password_reset": "public.page",
    "password_reset_done": "public.page",
    "password_reset_confirm": "public.page",
    "password_reset_complete": "public.page",
    "applications:track": "public.page",
    "certificates:verify": "public.page",
    "certificates:public_key": "public.page",
    "certificates:verify_id": "public.page",
    "ledgerlog:log": "public.page",
    "ledgerlog:verifier": "public.page",
    "transparency:dashboard": "public.page",
    "transparency:download": "public.page",
    "transparency:milestone": "public.page",
    "transparency:milestone_card": "public.page",
    # Staff pages
    "consoles:start": "staff.start",
    "applications:counter": "citizen.find_by_name",
    "applications:citizen_new": "citizen.register",
    "applications:counter_services": "citizen.open",
    "applications:counter_apply": "application.submit",
    "applications:operator_day": "counter.day",
    "applications:detail": "application.view",
    "applications:acknowledgement": "application.view",
    "applications:document": "application.view",
    "applications:inbox": "inbox.view",
    "applications:rtps": "rtps.view",
    "certificates:certificate": "application.view",
    "certificates:revoke": "certificate.revoke",
    "consoles:district": "district.console",
    "consoles:audit": "audit.console",
    "consoles:audit_checks": "audit.console",
    "consoles:audit_trail": "audit.console",
    "consoles:audit_trail_csv": "audit.console",
    "wallet:home": "wallet.view",
    "wallet:statement": "wallet.view",
    "wallet:topups": "topup.queue",
    "wallet:approve": "topup.decide",
    "wallet:reject": "topup.decide",
    "admin:*": "admin.site",
    # JSON API
    "GET /api/v1/services": "public.api",
    "GET /api/v1/centres": "public.api",
    "GET /api/v1/centres/{code}/wallet": "wallet.view",
    "GET /api/v1/centres/{code}/wallet/statement": "wallet.view",
    "POST /api/v1/centres/{code}/wallet/topups": "topup.request",
    "GET /api/v1/topups": "topup.queue",
    "POST /api/v1/topups/{topup_id}/approve": "topup.decide",
    "POST /api/v1/topups/{topup_id}/reject": "topup.decide",
    "POST /api/v1/applications": "application.submit",
    "GET /api/v1/applications/{application_no}": "application.view",
    "POST /api/v1/applications/{application_no}/actions": "application.act",
    "GET /api/v1/track": "public.api",
    "POST /api/v1/track": "public.api",
    "GET /api/v1/certificates/{certificate_id}/verify": "public.api",
    "GET /api/v1/transparency/summary": "public.api",
    "GET /api/v1/transparency/log/heads/latest": "public.api",
    "GET /api/v1/transparency/log/heads": "public.api",
    "GET /api/v1/transparency/log/public-keys": "public.api",
    "GET /api/v1/transparency/log/proof": "public.api",
    "GET /api/v1/transparency/log/consistency": "public.api",
    "GET /api/v1/": "public.api",
    "GET /api/v1/openapi.json": "public.api",
    "GET /api/v1/docs": "public.api",
}


def action_get(code: str) -> Action:
    return ACTIONS[code]


def _staff(user: Any) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def reach(user: Any, code: str) -> Reach:
    """How far ``user`` reaches for the action ``code`` (NONE for anyone not active staff)."""
    staff = _staff(user)
    action = ACTIONS[code]
    if staff is None:
        return Reach.ALL if action.public else Reach.NONE
    if action.public:
        return Reach.ALL
    return action.reach_of(staff.role)


def allows(user: Any, code: str) -> bool:
    return reach(user, code) is not Reach.NONE


def require(user: Any, code: str) -> User:
    """``user`` if the table gives its role any reach for ``code``; PermissionDenied otherwise."""
    staff = _staff(user)
    if staff is None or not allows(staff, code):
        raise PermissionDenied(details={"action": code})
    return staff


def roles_for(code: str) -> tuple[str, ...]:
    action = ACTIONS[code]
    return tuple(role for role in Role.values if action.reach_of(role) is not Reach.NONE)


def scope(user: Any, code: str) -> Scope:
    """The part of the network ``user`` may touch for ``code``, as a ``roles.Scope``. A place
    the user lacks (a district officer without a district) reaches nothing."""
    how_far = reach(user, code)
    if how_far is Reach.ALL:
        return EVERYTHING
    staff = _staff(user)
    if staff is None or how_far is Reach.NONE:
        return NOTHING
    if how_far is Reach.CENTRE:
        return Scope(centre_id=staff.centre_id) if staff.centre_id else NOTHING
    if how_far is Reach.DISTRICT:
        return Scope(district_id=staff.district_id) if staff.district_id else NOTHING
    return Scope(department_id=staff.department_id) if staff.department_id else NOTHING


# --- The table as Markdown (PERMISSIONS.md) --------------------------------------------

_REACH_WORDS = {
    Reach.NONE: "—",
    Reach.CENTRE: "own centre",
    Reach.DISTRICT: "own district",
    Reach.DEPARTMENT: "own department",
    Reach.ALL: "all",
}


def markdown() -> str:
    """PERMISSIONS.md: the table of actions by role, then every endpoint with its action."""
    from django.utils import translation

    roles = list(Role.values)
    lines = [
        "# Permissions · অনুমতি",
        "",
        "Generated from `sahayata/people/policy.py` by `manage.py permissions_doc`; a test",
        "fails when this file and the code differ. Each cell is how far a role reaches:",
        "its own centre, its own district, its own department, all of the state, or nothing",
        '(—). Outside its reach a user is told "not found" (404), never shown the record;',
        "a role with no reach at all is refused (403). `public` actions need no login.",
        "",
        "| Action | English | বাংলা | " + " | ".join(roles) + " |",
        "|---|---|---|" + "---|" * len(roles),
    ]
    for action in _TABLE:
        with translation.override("en"):
            english = str(action.description)
        with translation.override("bn"):
            bengali = str(action.description)
        cells = (
            ["public"] * len(roles)
            if action.public
            else [_REACH_WORDS[action.reach_of(role)] for role in roles]
        )
        lines.append(f"| `{action.code}` | {english} | {bengali} | " + " | ".join(cells) + " |")
    lines += ["", "## Endpoints", "", "| Endpoint | Action |", "|---|---|"]
    for endpoint, code in ENDPOINTS.items():
        lines.append(f"| `{endpoint}` | `{code}` |")
    return "\n".join(lines) + "\n"
