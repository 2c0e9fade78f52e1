"""The operator's statement and day on a tablet and a phone: each fee's hold, its post to
the payee and its refund, with the application number; wide tables scroll inside their
box, never the page; no serious axe-core violation."""

from __future__ import annotations

from typing import Any

import pytest

from sahayata.applications.services import application_act
from tests.browser_helpers import PHONE, TABLET
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.people import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRAP_SCROLLS = """(selector) => {
    const table = document.querySelector(selector);
    const box = table.closest('.table-wrap');
    return {box: box !== null, inside: box ? box.scrollWidth > box.clientWidth : false};
}"""


def test_statement_and_day_show_hold_post_and_refund(
    live_server: Any, browser: Any, page_checks: Any
) -> None:
    at = counter(amount_paise=1_000_000)
    service = certificate_service(amount_paise=3_000)
    officer, approver = officer_of(service), officer_of(service)  # four eyes
    delivered, rejected, waiting = (submitted(at=at, service=service) for _ in range(3))
    application_act(application=delivered, action="verify", actor=officer)
    application_act(application=delivered, action="approve", actor=approver)
    application_act(application=rejected, action="reject", actor=officer, comment="অসম্পূর্ণ")
    for viewport in (TABLET, PHONE):
        context = browser.new_context(locale="bn-IN", viewport=viewport)
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/accounts/login/?next=/wallet/statement/")
            page.fill("#id_username", at.operator.username)
            page.fill("#id_password", TEST_PASSWORD)
            page.press("#id_password", "Enter")
            page.wait_for_url("**/wallet/statement/")
            rows = page.locator("#statement-lines tbody tr")
            movements = [
                (row.get_attribute("data-movement"), row.inner_text()) for row in rows.all()
            ]
            kinds = [kind for kind, _ in movements]
            assert kinds.count("hold") == 3 and kinds.count("post") == 1
            assert kinds.count("refund") == 1 and kinds[-1] == "credit"
            refund = next(text for kind, text in movements if kind == "refund")
            assert rejected.number in refund and "ফেরত" in refund and "৩০.০০" in refund
            post = next(text for kind, text in movements if kind == "post")
            assert delivered.number in post
            # ₹10,000 − ₹30 paid; ₹30 of the waiting application still held.
            assert page.inner_text("[data-testid=balance-now]") == "₹৯,৯৭০.০০"
            assert page.inner_text("[data-testid=held-now]") == "₹৩০.০০"
            assert page.inner_text("[data-testid=available-now]") == "₹৯,৯৪০.০০"
            assert waiting.number in page.inner_text("#statement-lines")
            wrap = page.evaluate(WRAP_SCROLLS, "#statement-lines")
            assert wrap["box"] and (wrap["inside"] or viewport is TABLET)
            page_checks.check(page, "statement")

            page.goto(f"{live_server.url}/counter/today/")
            assert page.inner_text("#collection-total") == "₹৬০.০০"  # ₹90 held, ₹30 refunded
            assert page.inner_text("#refunded-total") == "₹৩০.০০"
            assert rejected.number in page.inner_text("#refund-lines")
            assert page.evaluate(WRAP_SCROLLS, "#collection")["box"]
            page_checks.check(page, "today")
        finally:
            context.close()
