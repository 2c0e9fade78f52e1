"""The dashboard on a 360 px phone and a 1366 px desktop: no sideways scroll, no serious
axe-core violation, chart labels whole (never cut inside a conjunct) and readable, the
months without data shown as a gap, Bengali digits throughout."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sahayata.catalogue.models import Department, Service
from sahayata.transparency.charts import LABEL_SIZE
from sahayata.transparency.services import CRORE_PAISE, rollup_event_record, rollups_apply
from tests.browser_helpers import DESKTOP, PHONE
from tests.factories.transparency import rollup_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IST = ZoneInfo("Asia/Kolkata")
LONG_DEPARTMENT = "সংখ্যালঘু বিষয়ক ও মাদ্রাসা শিক্ষা দপ্তর"


@pytest.fixture
def history(settings: Any) -> dict[str, Any]:
    settings.SAHAYATA_ROLLUPS_ON_COMMIT = False
    world = rollup_world()
    department = Department.objects.create(
        code="TMAD", name_en="Minority Affairs and Madrasah Education", name_bn=LONG_DEPARTMENT
    )
    scholarship = Service.objects.create(
        code="t-aikyashree",
        name_en="Aikyashree scholarship for minority students (post-matric)",
        name_bn="ঐক্যশ্রী বৃত্তি (সংখ্যালঘু ছাত্রছাত্রীদের জন্য, মাধ্যমিকোত্তর)",
        department=department,
        kind=Service.Kind.SCHEME,
        time_limit_days=30,
        workflow_code="verify_approve",
    )
    n = 0
    # March 2025, then nothing until December 2026: twenty months without data.
    for month, day in ((dt.date(2025, 3, 1), 14), (dt.date(2026, 12, 1), 1)):
        for i, centre in enumerate(world["centres"]):
            n += 1
            at = dt.datetime(month.year, month.month, day, 11, i, tzinfo=IST)
            rollup_event_record(
                kind="payment_posted",
                occurred_at=at,
                centre_id=centre.pk,
                service_id=world["paid_service"].pk,
                amount_paise=(i + 1) * CRORE_PAISE,
                application_id=n,
                transfer_id=f"t-{n}",
                simulated=True,
            )
            rollup_event_record(
                kind="service_delivered",
                occurred_at=at,
                centre_id=centre.pk,
                service_id=scholarship.pk,
                application_id=1000 + n,
                on_time=True,
                simulated=True,
            )
    rollups_apply()
    return world


CHART_TEXTS = """(selector) => [...document.querySelectorAll(selector + " svg.chart text")]
    .map((el) => el.textContent)"""


def test_dashboard_on_a_phone_and_a_desktop(
    live_server: Any, browser: Any, page_checks: Any, history: dict[str, Any]
) -> None:
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(locale="bn-IN", viewport=viewport)
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/dashboard/?date_from=2025-01-01&date_to=2026-12-31")
            page_checks.check(page)
            # The department's long name is whole, wrapped between words, not cut.
            lines = page.evaluate(CHART_TEXTS, "#departments")
            assert " ".join(lines[:-1]) == LONG_DEPARTMENT or LONG_DEPARTMENT in " ".join(lines)
            for text in page.evaluate(CHART_TEXTS, "#services") + lines:
                assert not re.search("\u09cd(…)?$", text), f"cut inside a conjunct: {text!r}"
            # Readable: the label text is at least 10 px on screen, at 360 px too.
            scale = page.evaluate(
                "document.querySelector('#departments svg.chart').getScreenCTM().a"
            )
            assert LABEL_SIZE * scale >= 10
            # The months from March 2025 to December 2026, with a gap drawn between them.
            assert page.locator("#monthly svg.chart rect[fill]:not(.gap rect)").count() >= 2
            assert page.locator("#monthly svg.chart g.gap").count() == 1
            monthly = page.evaluate(
                "document.querySelector('#monthly svg.chart g.gap title').textContent"
            )
            assert monthly.startswith("কোনো তথ্য নেই")
            assert "২০২৫" in monthly and "২০২৬" in monthly
            # Bengali page: every figure in Bengali digits (codes and file formats aside).
            text = page.inner_text("main")
            stray = re.findall(r"[0-9][0-9.,%]*", text)
            assert stray == [], f"Latin digits on the Bengali dashboard: {stray[:10]}"
            # The milestone's own page, which the banner links to and people share.
            page.get_by_test_id("milestone-banner").get_by_role("link").click()
            page.wait_for_url("**/dashboard/milestones/**")
            page_checks.check(page, "milestone")
        finally:
            context.close()
