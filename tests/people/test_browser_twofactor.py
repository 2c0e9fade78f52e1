"""Two-factor login in real Chromium, in Bengali: a finance officer enrols (QR code and
key, a code from the "phone"), logs out, logs in with a code, then with a recovery code,
which works once only. Every page passes the shared checks (tests/browser_helpers.py)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sahayata.people.models import Role
from tests.factories import TEST_PASSWORD, UserFactory, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/wallet/topups/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path.startswith("/accounts/two-factor/"))


def _log_out(page: Any) -> None:
    page.click("header form[action$='logout/'] button")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def test_enrol_then_log_in_with_a_code_then_with_a_recovery_code_once(
    live_server: Any, page: Any, page_checks: Any
) -> None:
    base = live_server.url
    finance = UserFactory(role=Role.FINANCE)

    # Enrolment: the key as a QR code and as text, confirmed by a code from it.
    _password(page, base, finance.username)
    assert urlsplit(page.url).path == "/accounts/two-factor/enrol/"
    assert page.locator("figure.qr svg").count() == 1
    shown = page.inner_text("#otp-secret").replace(" ", "")
    device = TOTPDevice.objects.get(user=finance)
    assert device.config_url.split("secret=")[1].startswith(shown)
    assert "দুই ধাপের লগইন সেট আপ করুন" in page.inner_text("h1")
    page_checks.check(page, "enrol")
    page.fill("#id_code", totp_code(device))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(set(codes)) == 10
    page_checks.check(page, "recovery-codes")
    page.click("main a.button")
    page.wait_for_url(f"{base}/wallet/topups/")
    _log_out(page)

    # A login with a code: the next one the app shows (the enrolment's is spent).
    _password(page, base, finance.username)
    assert urlsplit(page.url).path == "/accounts/two-factor/"
    page_checks.check(page, "verify")
    # The first step after the spent one, or the present step if later (on a slow machine
    # the enrolment's step may be two behind by now, out of the server's tolerance).
    device.refresh_from_db()
    step = max(int((time.time() - device.t0) // device.step), device.last_t + 1)
    page.fill("#id_code", totp_code(device, at=device.t0 + step * device.step + 1))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/wallet/topups/")
    _log_out(page)

    # A login with a recovery code, without the phone.
    _password(page, base, finance.username)
    page.fill("#id_code", codes[0])
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/two-factor/recovery-codes/" in url)
    assert "৯" in page.inner_text("main [role=status]")  # nine left, in Bengali digits
    page_checks.check(page, "recovery-left")
    page.click("main a.button")
    page.wait_for_url(f"{base}/wallet/topups/")
    _log_out(page)

    # The same recovery code again: refused, and the pages stay closed.
    _password(page, base, finance.username)
    page.fill("#id_code", codes[0])
    page.click("main form button[type=submit]")
    page.wait_for_selector("main p.error[role=alert]")
    assert "কোডটি ঠিক নয়" in page.inner_text("main p.error")
    page.goto(f"{base}/wallet/topups/")
    assert urlsplit(page.url).path == "/accounts/two-factor/"
