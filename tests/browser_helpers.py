"""The role suite's checks on every page a browser test visits.

``PageChecks.check(page)`` (the ``page_checks`` fixture) runs, on the page as it is now:

- axe-core (vendored, pinned by hash: ``tests/vendor/axe-core``): no serious or critical
  violation;
- no sideways scroll: ``document.scrollingElement.scrollWidth <= innerWidth``;
- a favicon that loads (bundled, from our own static files);
- a full-page screenshot in ``var/screenshots/<test>[-<step>]-<width>.png``, kept as CI's
  artefacts.

``phone_page`` is a Bengali page at 360 px, the narrowest phone we design for.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
PHONE = {"width": 360, "height": 780}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1366, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")

_axe_source: str | None = None


def wait_until(page: Any, expression: str, *, timeout_s: float = 15.0) -> None:
    """Wait until ``expression`` is truthy in ``page``. Playwright's ``wait_for_function``
    polls with ``new Function`` inside the page, which our CSP (no 'unsafe-eval') blocks
    whenever the first check is false; ``page.evaluate`` goes through the DevTools
    protocol, which the page's policy does not govern."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.05)


def axe_source() -> str:
    """The vendored axe.min.js, refused if it is not the pinned release."""
    global _axe_source
    if _axe_source is None:
        raw = AXE_JS.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != AXE_SHA256:
            raise AssertionError(f"{AXE_JS} is not axe-core {AXE_VERSION} (sha256 {digest})")
        _axe_source = raw.decode("utf-8")
    return _axe_source


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on ``page`` (WCAG 2.x A and AA rules)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # does not govern: an inline <script> tag (add_script_tag) would be blocked, and
        # counted as a violation by the CSP test.
        page.evaluate(f"() => {{ {axe_source()}\n }}")
    result = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                resultTypes: ["violations"],
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                  "best-practice"]},
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => ({
                    target: n.target, html: n.html.slice(0, 160), summary: n.failureSummary,
                })),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING_IMPACTS]


def horizontal_overflow(page: Any) -> dict[str, Any] | None:
    """``None`` when the page does not scroll sideways, else the widths and the widest
    elements that stick out (to say what to fix)."""
    width = (page.viewport_size or {}).get("width", 0)
    return page.evaluate(
        """(viewport) => {
            const scroller = document.scrollingElement;
            const limit = Math.min(window.innerWidth, viewport || window.innerWidth);
            if (scroller.scrollWidth <= limit) return null;
            const name = (el) => {
                const cls = typeof el.className === "string" ? el.className.trim() : "";
                return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                    + (cls ? "." + cls.split(/\\s+/).join(".") : "");
            };
            const wide = [...document.body.querySelectorAll("*")]
                .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
                .slice(0, 8)
                .map((el) => name(el) + " right=" + Math.round(el.getBoundingClientRect().right));
            return {scrollWidth: scroller.scrollWidth, innerWidth: window.innerWidth, wide: wide};
        }""",
        width,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


@dataclass
class PageChecks:
    """The checks of one test; ``test`` names its screenshots."""

    test: str
    screenshots: list[Path] = field(default_factory=list)

    def screenshot(self, page: Any, step: str | None = None) -> Path:
        width = (page.viewport_size or {}).get("width") or page.evaluate("window.innerWidth")
        name = "-".join(part for part in (self.test, step, str(width)) if part)
        path = SCREENSHOTS / f"{_slug(name)}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        self.screenshots.append(path)
        return path

    def check(self, page: Any, step: str | None = None, *, axe: bool = True) -> None:
        """Screenshot first (so a failing page is still seen), then overflow and axe."""
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")
        path = self.screenshot(page, step)
        overflow = horizontal_overflow(page)
        assert overflow is None, f"{page.url} scrolls sideways ({path.name}): {overflow}"
        icon = page.evaluate("document.querySelector('link[rel~=icon]')?.href ?? null")
        assert icon and page.request.get(icon).ok, f"{page.url} has no bundled favicon"
        if axe:
            violations = axe_violations(page)
            assert not violations, f"axe-core on {page.url} ({path.name}): {violations}"


TWO_FACTOR = "/accounts/two-factor/"


def pass_second_factor(page: Any, user: Any) -> None:
    """After the password of a finance officer or an administrator: type the code of their
    authenticator (enrolling one first when they have none, then leaving the recovery
    codes page), as the person would with their phone. Other roles: nothing to do."""
    from urllib.parse import urlsplit

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import totp_code

    page.wait_for_url(lambda url: urlsplit(url).path != "/accounts/login/")
    path = urlsplit(page.url).path
    if not path.startswith(TWO_FACTOR):
        return
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    page.fill("#id_code", totp_code(device))
    page.click("main form button[type=submit]")
    if path.startswith(TWO_FACTOR + "enrol/"):
        page.wait_for_selector("#recovery-codes")
        page.click("main a.button")
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith(TWO_FACTOR))
