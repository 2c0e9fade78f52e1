"""The page a QR code opens, in Chromium at 1366 and 360 px: a genuine certificate, a field
forged in the database, and a forged QR token. The token after "#" is checked by the
page's script (Web Crypto Ed25519 against the site's public keys), never sent to us."""

from __future__ import annotations

from typing import Any

import pytest

from sahayata.certificates.models import Certificate
from sahayata.certificates.services import certificate_token
from tests.browser_helpers import DESKTOP, PHONE
from tests.certificates.test_forged_fields import FORGED, forged_token, issued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def opened(browser: Any, viewport: dict[str, int], url: str) -> Any:
    context = browser.new_context(locale="bn-IN", viewport=viewport)
    page = context.new_page()
    page.goto(url)
    return page


def qr_result(page: Any) -> str:
    page.wait_for_selector("#qr-verdict[data-result='good'], #qr-verdict[data-result='bad']")
    return str(page.get_attribute("#qr-verdict", "data-result"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "360"])
def test_a_genuine_certificate_and_its_qr_token(
    live_server: Any, browser: Any, page_checks: Any, viewport: dict[str, int]
) -> None:
    certificate = issued()
    url = f"{live_server.url}/verify/{certificate.id}#{certificate_token(certificate)}"
    page = opened(browser, viewport, url)
    try:
        assert page.inner_text("#verdict") == "আসল"
        assert "রিনা দাস" in page.inner_text("#signed-facts")
        assert qr_result(page) == "good"
        assert "রিনা দাস" in page.inner_text("#qr-verdict")
        page_checks.check(page, "genuine")
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "360"])
def test_a_field_forged_in_the_database(
    live_server: Any, browser: Any, page_checks: Any, viewport: dict[str, int]
) -> None:
    certificate = issued()
    token = certificate_token(certificate)
    Certificate.objects.filter(pk=certificate.pk).update(holder_name_en=FORGED)
    page = opened(browser, viewport, f"{live_server.url}/verify/{certificate.id}#{token}")
    try:
        assert page.inner_text("#verdict") == "আসল নয়"
        assert page.locator("#signed-facts").count() == 0
        assert FORGED not in page.content()
        # The QR token itself is genuine: the page says so, and that the record is not.
        assert qr_result(page) == "bad"
        assert "রেকর্ডটি আসল নয়" in page.inner_text("#qr-verdict")
        page_checks.check(page, "forged-record")
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "360"])
def test_a_forged_qr_token(
    live_server: Any, browser: Any, page_checks: Any, viewport: dict[str, int]
) -> None:
    certificate = issued()
    token = forged_token(certificate, holder_en=FORGED, holder_bn=FORGED)
    page = opened(browser, viewport, f"{live_server.url}/verify/{certificate.id}#{token}")
    try:
        assert page.inner_text("#verdict") == "আসল"  # the record is genuine
        assert qr_result(page) == "bad"
        assert "জাল" in page.inner_text("#qr-verdict")
        assert FORGED not in page.inner_text("#qr-check")
        page_checks.check(page, "forged-token")
    finally:
        page.context.close()
