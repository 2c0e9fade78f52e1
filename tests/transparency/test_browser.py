"""The dashboard in real Chromium: Bengali with the project's font, filters without JS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sahayata.core.clock import IST
from sahayata.core.money import CRORE_PAISE
from sahayata.transparency.services import rollup_event_record, rollups_apply
from tests.factories.transparency import rollup_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(settings: Any) -> dict[str, Any]:
    settings.SAHAYATA_ROLLUPS_ON_COMMIT = False
    world = rollup_world()
    for i, centre in enumerate(world["centres"]):
        rollup_event_record(
            kind="payment_posted",
            occurred_at=dt.datetime(2025, 7, 14, 11, i, tzinfo=IST),
            centre_id=centre.pk,
            service_id=world["paid_service"].pk,
            amount_paise=(i + 1) * CRORE_PAISE,
            application_id=i + 1,
            transfer_id=f"t-{i}",
            simulated=True,
        )
    rollups_apply()
    return world


def test_dashboard_in_bengali_with_the_project_font_and_working_filters(
    live_server: Any, page: Any, page_checks: Any, history: dict[str, Any]
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/dashboard/")
    total = page.get_by_test_id("total-paise")
    assert total.inner_text() == "₹১০ কোটি"  # 1 + 2 + 3 + 4 crore
    assert page.get_by_test_id("simulated").is_visible()
    font_loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return [...document.fonts].some(
                (face) => face.family.includes("Noto Sans Bengali") && face.status === "loaded"
            );
        }"""
    )
    assert font_loaded
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans Bengali" in family
    page_checks.check(page, "bengali")
    # The second district holds centres 2 and 3: ₹3 crore + ₹4 crore.
    second = history["centres"][2].district
    page.select_option("select[name=district]", second.code)
    page.get_by_role("button", name="দেখান").click()
    page.wait_for_url(f"**district={second.code}**")
    assert page.get_by_test_id("total-paise").inner_text() == "₹৭ কোটি"
    page_checks.check(page, "district")
    assert all(url.startswith(live_server.url) for url in requests), "no outside CDN"
    # The English page, through the language switch, shows the same figure in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("total-paise").inner_text() == "₹7 crore"
    page_checks.check(page, "english")


def test_dashboard_works_without_javascript(
    live_server: Any, browser: Any, page_checks: Any, history: dict[str, Any]
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-IN")
    # English because the person chose it (Bengali is the default whatever the locale).
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/dashboard/?date_from=2025-07-14&date_to=2025-07-14")
        assert page.get_by_test_id("total-paise").inner_text() == "₹10 crore"
        assert page.locator("svg.chart").count() >= 4
        # axe-core is a script and cannot run here; the same page with scripts passes it in
        # the test above. Screenshot, sideways scroll and favicon are still checked.
        page_checks.check(page, "no-js", axe=False)
    finally:
        context.close()
