"""CSRF everywhere: every URL pattern of the HTML site (the admin's included) refuses a
POST without the token, for a logged-in administrator whose second factor is verified; no
view is exempt. The JSON API is exempt by design because it authenticates by bearer token
only: a session cookie alone cannot write through it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sahayata.people.models import Role
from sahayata.people.policy import ENDPOINTS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# A value for each path converter: enough to reach the view (CSRF is checked before it).
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}
_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """(route with sample values, name, pattern) of every pattern, recursively."""
    for entry in resolvers:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, prefix + route, inner.strip(":"))
        else:
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield prefix + route, name, entry


def _group_sample(match: re.Match[str]) -> str:
    """A regex group's sample: its first word when it lists words (``csv|json``), else x."""
    words = match.group(1).split("|")
    return words[0] if all(re.fullmatch(r"\w+", word) for word in words) else "x"


def _sample(route: str) -> str | None:
    if route.startswith("^") or "(?P" in route:  # a regex route (the admin's catch-all)
        route = re.sub(r"\(\?P<\w+>([^)]*)\)", _group_sample, route).lstrip("^").rstrip("$")
        route = route.replace("\\", "")
    return "/" + _CONVERTER.sub(lambda m: SAMPLES[m.group("kind") or "str"], route)


def html_patterns() -> list[tuple[str, str, URLPattern]]:
    return [
        (url, name, pattern)
        for route, name, pattern in _patterns(get_resolver().url_patterns)
        if not route.startswith("api/") and (url := _sample(route)) is not None
    ]


def test_every_html_pattern_is_walked_and_none_is_csrf_exempt() -> None:
    patterns = html_patterns()
    names = {name for _url, name, _pattern in patterns}
    html_endpoints = {e for e in ENDPOINTS if " /api/" not in e and e != "admin:*"}
    assert html_endpoints <= names, html_endpoints - names  # the policy's pages, all here
    assert sum(name.startswith("admin:") for name in names) > 20
    exempt = [name for _url, name, p in patterns if getattr(p.callback, "csrf_exempt", False)]
    assert exempt == []


def test_a_post_without_the_token_is_refused_on_every_html_pattern() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role=Role.ADMIN))  # second factor verified (conftest)
    refused, other = 0, []
    for url, name, _pattern in html_patterns():
        response = client.post(url, {"next": "/", "language": "en", "code": "123456"})
        # The CSRF failure page (core/templates/403_csrf.html), not a role's 403.
        if response.status_code == 403 and b'id="csrf-failure"' in response.content:
            refused += 1
        else:
            other.append((name, url, response.status_code))
    assert other == []
    assert refused >= len(html_patterns())


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/centres/KOL0001/wallet/topups", {"amount_paise": 100000}),
        ("/api/v1/applications", {}),
        ("/api/v1/topups/1/approve", {}),
    ],
)
def test_a_session_cookie_alone_cannot_write_through_the_api(path: str, body: dict) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role=Role.FINANCE))
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
