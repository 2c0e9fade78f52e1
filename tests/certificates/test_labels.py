"""Documents a person reads print labels, never keys or codes: the certificate shows each
field's Bengali and English label from the service version and a choice by its labels;
the application page names the workflow, the payee and the document."""

from __future__ import annotations

import html as html_text
import re

import pytest
from django.test import Client

from sahayata.applications.models import Application
from sahayata.applications.services import application_act
from sahayata.catalogue.models import FeeHead, FormField, Service
from sahayata.certificates.models import Certificate
from tests.factories.applications import counter, officer_of, submitted
from tests.factories.catalogue import (
    FeeHeadFactory,
    FormFieldFactory,
    ServiceFactory,
    published,
)

pytestmark = pytest.mark.django_db

KEYS = ("guardian_name", "caste", "address", "social_category")


def caste_certificate_service() -> Service:
    """Like the demo's caste certificates: text fields and a labelled choice."""
    service = ServiceFactory(
        kind=Service.Kind.CERTIFICATE,
        workflow_code="verify_approve",
        issues_certificate=True,
        name_en="Scheduled Caste (SC) certificate",
        name_bn="তফসিলি জাতি (SC) শংসাপত্র",
    )
    FormFieldFactory(
        service=service,
        name="guardian_name",
        label_en="Father's or husband's name",
        label_bn="পিতা বা স্বামীর নাম",
        example="Haripada Das",
    )
    FormFieldFactory(
        service=service, name="caste", label_en="Caste", label_bn="জাতি", example="Namasudra"
    )
    FormFieldFactory(
        service=service,
        name="social_category",
        type=FormField.Type.CHOICE,
        label_en="Social category",
        label_bn="সামাজিক শ্রেণি",
        example="sc",
        choices=[
            {"value": "general", "label_en": "General", "label_bn": "সাধারণ"},
            {"value": "sc", "label_en": "Scheduled Caste (SC)", "label_bn": "তফসিলি জাতি (SC)"},
        ],
    )
    FormFieldFactory(
        service=service, name="address", label_en="Address", label_bn="ঠিকানা", example="Baruipur"
    )
    FeeHeadFactory(service=service, code="fee", amount_paise=3_000, payee=FeeHead.Payee.TREASURY)
    return published(service)


def approved() -> tuple[Application, Certificate]:
    service = caste_certificate_service()
    application = submitted(at=counter(), service=service)
    application_act(application=application, action="verify", actor=officer_of(service))
    application_act(application=application, action="approve", actor=officer_of(service))
    return application, Certificate.objects.get(application=application)


def _cells(html: str) -> list[str]:
    return [
        html_text.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<t[hd]>(.*?)</t[hd]>", html)
    ]


def test_the_certificate_prints_bilingual_labels_and_choice_labels(client: Client) -> None:
    application, certificate = approved()
    client.force_login(officer_of(application.service))
    html = client.get(f"/certificates/{certificate.id}/").content.decode()
    cells = _cells(html[html.index('class="certificate"') :])
    for key in KEYS:
        assert key not in cells, key
    assert "পিতা বা স্বামীর নাম / Father's or husband's name" in cells
    assert "জাতি / Caste" in cells and "ঠিকানা / Address" in cells
    assert "তফসিলি জাতি (SC) / Scheduled Caste (SC)" in cells  # the choice, by its labels
    assert "sc" not in cells and "Haripada Das" in cells


def test_the_application_page_names_workflow_payee_and_fields(client: Client) -> None:
    application, _certificate = approved()
    client.force_login(officer_of(application.service))
    for language, workflow, payee in (
        ("bn", "যাচাই, তারপর অনুমোদন", "রাজ্য কোষাগার"),
        ("en", "Verification, then approval", "State treasury"),
    ):
        client.cookies["django_language"] = language
        html = client.get(f"/applications/{application.number}/").content.decode()
        text = re.sub(r"<[^>]+>", " ", html)
        assert workflow in text and payee in text, language
        assert "verify_approve" not in text and not re.search(r"\bv1\b", text), language
        assert "<td>treasury</td>" not in html and "<td>biller</td>" not in html, language
        cells = _cells(html)
        assert all(key not in cells for key in KEYS)
