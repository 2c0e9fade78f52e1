"""The counter flow in real Chromium: log in, register a citizen, submit a paid service,
and read the acknowledgement with the official fee and the QR code."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from sahayata.applications.models import Application, HoldState
from tests.factories.applications import counter
from tests.factories.catalogue import paid_service
from tests.factories.people import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_submits_a_paid_service_and_prints_the_acknowledgement(
    live_server: Any, page: Any, page_checks: Any
) -> None:
    at = counter(amount_paise=100_000)
    service = paid_service(amount_paise=4_500, name_en="Mutation fee", name_bn="মিউটেশন ফি")
    page.context.add_cookies([{"name": "django_language", "value": "bn", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/?next=/counter/")
    page_checks.check(page, "login")
    page.fill("#id_username", at.operator.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form.stack button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/counter/")
    page_checks.check(page, "counter")
    # Not registered yet: the search finds nobody, so register.
    page.fill("#q", "9830055555")
    page.press("#q", "Enter")
    page.wait_for_selector("text=" + "কোনো নাগরিক পাওয়া যায়নি")
    page_checks.check(page, "nobody-found")
    page.fill("#name_en", "Kakali Bose")
    page.fill("#name_bn", "কাকলি বসু")
    page.fill("#mobile", "9830055555")
    page.click("form[action$='citizens/new'] button[type=submit]")
    page.wait_for_url("**/counter/citizens/*/")
    page_checks.check(page, "citizen")
    page.fill("#q", "মিউটেশন")
    page.press("#q", "Enter")
    page.click(f"a[href$='/apply/{service.code}/']")
    page.wait_for_selector("#f_plot_no")
    assert "₹৪৫.০০" in page.content()  # the fee, itemised, before submitting
    page_checks.check(page, "form")
    page.fill("#f_plot_no", "1234")
    page.click("#submit-application")
    page.wait_for_selector("#confirmation")  # nothing paid before this step
    assert Application.objects.count() == 0
    page_checks.check(page, "confirmation")
    page.click("#confirm-payment")
    page.wait_for_url("**/acknowledgement/")
    number = page.inner_text("#application-number").strip()
    fee = page.inner_text("#fee-total")
    assert "₹৪৫.০০" in fee and "₹45.00" in fee
    # One QR code to track it, one to check its payment in the transparency log.
    assert page.locator("#acknowledgement > .qr svg.segno").count() == 1
    assert page.locator("#acknowledgement [data-testid=log-proof] svg.segno").count() == 1
    assert page.inner_text("#due-date").strip()
    page_checks.check(page, "acknowledgement")
    application = Application.objects.get(number=number)
    assert application.hold == HoldState.HELD and application.citizen.name_bn == "কাকলি বসু"
    page.goto(f"{live_server.url}/applications/{number}/acknowledgement/?format=receipt")
    assert page.locator("article.ack.receipt").count() == 1
    page_checks.check(page, "receipt")
