"""The browser security headers (SECURITY.md, "Browser security headers"): a strict
Content-Security-Policy, nosniff, a referrer policy, a frame ban and the opener policy on
an HTML page, an API answer, a static file served by whitenoise and an error page; HSTS
only under the production profile (SAHAYATA_HTTPS on)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sahayata.core.csp import source_hash
from sahayata.transparency.models import Milestone
from tests.deploy.profile import ROOT
from tests.deploy.profile import production_env as _production_env
from tests.factories.catalogue import ServiceFactory
from tests.factories.places import CentreFactory

pytestmark = pytest.mark.django_db

# What a source may be in our policy: a keyword, a hash, or the data: scheme (one response
# only, the standalone SVG card's embedded font). Anything else would be another origin.
KEYWORDS = {"'self'", "'none'"}
HASH = re.compile(r"^'sha256-[A-Za-z0-9+/]+={0,2}'$")
FETCH_SELF_ONLY = ("default-src", "script-src", "style-src", "img-src", "font-src", "connect-src")


def parse_policy(header: str) -> dict[str, list[str]]:
    """``default-src 'self'; img-src 'self' data:`` → {directive: [sources]}."""
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            assert words[0] not in policy, f"{words[0]} twice in {header!r}"
            policy[words[0]] = words[1:]
    return policy


def assert_strict(header: str, *, allowed_extra: dict[str, set[str]] | None = None) -> None:
    """Our own origin only, no inline script, no eval, no plugins, no framing, no <base>."""
    policy = parse_policy(header)
    allowed_extra = allowed_extra or {}
    for directive in FETCH_SELF_ONLY:
        assert directive in policy, f"{directive} missing from {header!r}"
    for directive, sources in policy.items():
        for source in sources:
            extra_ok = source in allowed_extra.get(directive, set())
            assert source in KEYWORDS or extra_ok, f"{directive} {source!r} in {header!r}"
    script = policy["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def assert_security_headers(response: Any) -> None:
    assert_strict(response["Content-Security-Policy"])
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "header",
    [
        "default-src 'self'; script-src 'self' 'unsafe-inline'",
        "default-src 'self'; script-src 'self' 'unsafe-eval'",
        "default-src 'self' https://cdn.example.com; script-src 'self'",
        "default-src 'self'; script-src 'self'; style-src 'self' fonts.googleapis.com",
        "default-src 'self'; script-src *",
    ],
)
def test_the_checker_refuses_a_loose_policy(header: str) -> None:
    with pytest.raises(AssertionError):
        assert_strict(header)


def test_the_policy_of_a_page_is_strict(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy-Report-Only" not in response
    assert_strict(response["Content-Security-Policy"])


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("/", 200, "text/html"),
        ("/dashboard/", 200, "text/html"),
        ("/api/v1/transparency/summary", 200, "application/json"),
        ("/api/v1/no-such-endpoint", 404, "application/json"),
        ("/static/core/site.css", 200, "text/css"),
        ("/static/core/site.js", 200, "text/javascript"),
        ("/no-such-page/", 404, "text/html"),
    ],
)
def test_every_kind_of_response_carries_the_headers(
    client: Client, settings: Any, path: str, status: int, content_type: str
) -> None:
    # With DEBUG on, django-csp leaves Django's debug 404 page alone; production has it off.
    settings.DEBUG = False
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith(content_type)
    assert_security_headers(response)


def test_the_milestone_card_allows_only_its_own_inline_style(client: Client) -> None:
    milestone = Milestone.objects.create(
        metric=Milestone.Metric.PAISE,
        threshold=10**9,
        crossed_at=timezone.now(),
        value_after=10**9 + 1,
        centre_id=CentreFactory().pk,
        service_id=ServiceFactory().pk,
    )
    response = client.get(f"/dashboard/milestones/{milestone.pk}/card.svg")
    assert response.status_code == 200
    svg = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", svg, flags=re.S)
    assert len(styles) == 1
    header = response["Content-Security-Policy"]
    assert_strict(
        header, allowed_extra={"style-src": {source_hash(styles[0])}, "font-src": {"data:"}}
    )
    policy = parse_policy(header)
    assert policy["style-src"] == [source_hash(styles[0])]  # not 'self', not unsafe-inline
    assert policy["font-src"] == ["data:"]
    assert "<script" not in svg


def test_no_template_carries_inline_script_style_or_handlers() -> None:
    """What the policy would block, found in the source before a browser finds it."""
    found = []
    for template in (ROOT / "sahayata").rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            found += [f"{template.relative_to(ROOT)}: {m}" for m in re.findall(pattern, text)]
    assert found == []


PROBE = """
import json
import django
django.setup()
from django.test import Client
from django.utils import timezone
client = Client(HTTP_HOST="sahayata.example.gov.in")
out = {}
for path in ("/healthz", "/static/core/site.css", "/no-such-page/"):
    response = client.get(path, secure=True)
    out[path] = [response.status_code, dict(response.headers)]
print(json.dumps(out))
"""


def _headers_under(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hsts_only_under_the_production_profile(tmp_path: Path) -> None:
    production = _headers_under(_production_env(tmp_path))
    for path, (status, headers) in production.items():
        assert status == (404 if path == "/no-such-page/" else 200), path
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000"), path
        assert_security_headers(headers)
    plain_http = _headers_under(_production_env(tmp_path, SAHAYATA_HTTPS="0"))
    development = _headers_under(_production_env(tmp_path, DEBUG="1"))
    for profile in (plain_http, development):
        for path, (_status, headers) in profile.items():
            assert "Strict-Transport-Security" not in headers, path
            if path != "/no-such-page/" or profile is plain_http:
                assert_security_headers(headers)


def test_favicon_ico_is_the_bundled_icon(client: Client) -> None:
    """The admin and the API's docs link no icon: the browser's own request finds one."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("core/favicon.svg")
    assert client.get(response["Location"]).status_code == 200


def test_the_api_docs_alone_allow_data_images(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_strict(response["Content-Security-Policy"], allowed_extra={"img-src": {"data:"}})
    assert parse_policy(response["Content-Security-Policy"])["img-src"] == ["'self'", "data:"]
    # (ninja decorates the document at openapi.json alike: JSON, where no image loads)
    assert "data:" not in client.get("/api/v1/transparency/summary")["Content-Security-Policy"]
