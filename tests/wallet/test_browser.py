"""The wallet pages in real Chromium: an operator asks for a top-up, finance credits it."""

from __future__ import annotations

from typing import Any

import pytest

from sahayata.people.models import User
from sahayata.wallet.models import TopUp
from tests.browser_helpers import pass_second_factor
from tests.factories.people import TEST_PASSWORD, UserFactory
from tests.factories.places import CentreFactory
from tests.factories.wallet import funded_wallet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, live_server: Any, username: str, next_url: str, checks: Any) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "bn", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    checks.check(page, "login")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    pass_second_factor(page, User.objects.get(username=username))
    page.wait_for_url(f"{live_server.url}{next_url}")
    checks.check(page, next_url.strip("/").replace("/", "-"))


def test_topup_from_request_to_credit_in_bengali(
    live_server: Any, page: Any, page_checks: Any
) -> None:
    centre = CentreFactory()
    funded_wallet(centre=centre, amount_paise=1_00_000_00)
    operator = UserFactory(role="operator", centre=centre)
    finance = UserFactory(role="finance")

    log_in(page, live_server, operator.username, "/wallet/", page_checks)
    assert page.inner_text("[data-testid=available]") == "₹১,০০,০০০.০০"
    page.fill("#id_amount", "২৫০০")
    page.fill("#id_bank_reference", "UTR20261128")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("ul.messages li")
    assert "টপ-আপের অনুরোধ পাঠানো হয়েছে" in page.inner_text("ul.messages")
    page_checks.check(page, "requested")
    assert TopUp.objects.get().amount_paise == 2_500_00

    log_in(page, live_server, finance.username, "/wallet/topups/", page_checks)
    assert "UTR20261128" in page.inner_text("main")
    page.click("text=অনুমোদন করে জমা করুন")
    page.wait_for_selector("ul.messages li")
    assert "জমা হয়েছে" in page.inner_text("ul.messages")
    page_checks.check(page, "credited")

    log_in(page, live_server, operator.username, "/wallet/", page_checks)
    assert page.inner_text("[data-testid=balance]") == "₹১,০২,৫০০.০০"


def test_wallet_with_top_ups_fits_a_360_px_phone(
    live_server: Any, phone_page: Any, page_checks: Any
) -> None:
    """The recent top-ups (with each one's long log salt) scroll inside their box on a
    phone: the page itself never scrolls sideways (page_checks fails on it)."""
    from sahayata.wallet.services import topup_request

    centre = CentreFactory()
    funded_wallet(centre=centre, amount_paise=1_00_000_00)
    operator = UserFactory(role="operator", centre=centre)
    for n in range(2):
        topup_request(
            centre=centre,
            amount_paise=9_10_000_00,
            bank_reference=f"SIM1-{n}-20250307",
            requested_by=operator,
        )
    log_in(phone_page, live_server, operator.username, "/wallet/", page_checks)
    assert phone_page.locator("[data-testid=topup-salt]").count() == 2
    region = phone_page.locator("div.table-scroll[role=region]")
    assert region.count() == 1 and region.get_attribute("tabindex") == "0"
