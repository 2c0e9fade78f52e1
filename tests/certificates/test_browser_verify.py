"""The page a certificate's QR code opens, on a 360 px phone: the verdict, the holder and
the forms fit the screen (it was 595 px wide), with no serious axe-core violation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sahayata.applications.services import application_act
from sahayata.certificates.models import Certificate
from sahayata.certificates.services import certificate_token
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.people import CitizenFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verify_page_opened_from_the_qr_code_fits_a_phone(
    live_server: Any, phone_page: Any, page_checks: Any
) -> None:
    service = certificate_service(name_en="Caste certificate (OBC)", name_bn="জাতিগত শংসাপত্র (ওবিসি)")
    citizen = CitizenFactory(name_en="Rina Das", name_bn="রিনা দাস")
    application = submitted(at=counter(), service=service, citizen=citizen)
    verifier, approver = officer_of(service), officer_of(service)  # four eyes
    application_act(application=application, action="verify", actor=verifier)
    application_act(application=application, action="approve", actor=approver)
    certificate = Certificate.objects.get(application=application)
    page = phone_page
    page.goto(f"{live_server.url}/verify/{certificate.id}#{certificate_token(certificate)}")
    assert page.inner_text("#verdict") == "আসল"
    assert "জাতিগত শংসাপত্র (ওবিসি)" in page.inner_text("#verification")
    verdict = page.inner_text("#verification").replace(certificate.id, "")
    assert re.findall("[0-9]+", verdict) == []  # the date in Bengali digits
    page_checks.check(page, "certificate")
    # The scanned text pasted into the form: a long, unbroken token must wrap, not widen.
    page.fill(
        "#payload", f"{live_server.url}/verify/{certificate.id}#{certificate_token(certificate)}"
    )
    page.get_by_role("button", name="স্বাক্ষর যাচাই করুন").click()
    page.wait_for_selector("#payload-verdict")
    page_checks.check(page, "payload")
    page.goto(f"{live_server.url}/verify/")
    page_checks.check(page, "form")
