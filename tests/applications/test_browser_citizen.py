"""The citizen on a phone (360 px): tracking a rejected application shows the officer's
reason and the refund, in Bengali, without sideways scroll and with no serious axe-core
violation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sahayata.applications.services import application_act
from tests.factories.applications import counter, officer_of, submitted
from tests.factories.catalogue import paid_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_tracks_a_rejected_application_on_a_phone(
    live_server: Any, phone_page: Any, page_checks: Any
) -> None:
    at = counter(amount_paise=100_000)
    service = paid_service(amount_paise=4_500, name_en="Mutation fee", name_bn="মিউটেশন ফি")
    application = submitted(at=at, service=service)
    application_act(
        application=application,
        action="reject",
        actor=officer_of(service),
        comment="দলিলের নকল অস্পষ্ট",
    )
    page = phone_page
    page.goto(f"{live_server.url}/track/")
    page_checks.check(page, "form")
    page.fill("#application_no", application.number)
    page.fill("#mobile", application.citizen.mobile)
    page.get_by_role("button", name="অবস্থা দেখুন").click()
    page.wait_for_selector("#track-result")
    assert page.inner_text("#track-reason") == "দলিলের নকল অস্পষ্ট"
    refund = page.inner_text("#track-refund")
    assert "₹৪৫.০০" in refund and "ফেরত" in refund
    assert any("০" <= ch <= "৯" for ch in refund.split("₹")[1][6:])  # the date, in Bengali digits
    # Every number on the Bengali page in Bengali digits (the application number is a code).
    text = page.inner_text("main").replace(application.number, "")
    assert re.findall("[0-9]+", text) == []
    page_checks.check(page, "rejected")
