"""The counter's form, confirmation and submission through Django's test client: amounts
in rupees, nothing paid before the confirmation, one payment per form token, the same bill
twice in a day, a form kept across an ended session, every service reachable."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from sahayata.applications.models import Application
from sahayata.applications.services import application_act
from sahayata.catalogue.data import catalogue_load
from sahayata.catalogue.models import Service
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import counter, officer_of, submitted
from tests.factories.catalogue import (
    FeeHeadFactory,
    FormFieldFactory,
    ServiceFactory,
    bill_service,
    free_service,
    published,
)
from tests.factories.people import TEST_PASSWORD, CitizenFactory

pytestmark = pytest.mark.django_db

BILL = {"consumer_id": "112233445"}


def _client(at: Any, lang: str = "bn") -> Client:
    client = Client()
    client.force_login(at.operator)
    client.cookies["django_language"] = lang
    return client


def _open_form(client: Client, citizen_id: object, code: str) -> tuple[str, str]:
    """The form's URL with its token, as the counter issues it."""
    first = client.get(f"/counter/citizens/{citizen_id}/apply/{code}/")
    assert first.status_code == 302
    token = parse_qs(urlsplit(first["Location"]).query)["t"][0]
    return first["Location"], token


def _available(at: Any) -> int:
    return wallet_balance(account=at.wallet).available_paise


def test_rupees_typed_are_confirmed_then_paid_once() -> None:
    at = counter(amount_paise=1_000_000)
    service, citizen = bill_service(), CitizenFactory()
    client = _client(at)
    url, token = _open_form(client, citizen.public_id, service.code)
    form = client.get(url).content.decode()
    assert "data-amount" in form and "পয়সা)" not in form  # typed in rupees, labelled so
    review = client.post(
        url, {"form_token": token, **BILL, "bill_amount_paise": "১,৬৫০", "step": "review"}
    )
    assert review.status_code == 302 and "confirm=1" in review["Location"]
    assert Application.objects.count() == 0 and _available(at) == 1_000_000  # nothing moved
    confirm = client.get(review["Location"]).content.decode()
    assert "₹১,৬৫০.০০" in confirm and "এক হাজার ছয়শো পঞ্চাশ টাকা মাত্র" in confirm
    assert "₹১০,০০০.০০" in confirm and "₹৮,৩৫০.০০" in confirm  # the wallet now and after
    assert "112233445" in confirm and 'name="pay_again"' not in confirm
    paid = client.post(
        url, {"form_token": token, **BILL, "bill_amount_paise": "১,৬৫০", "step": "confirm"}
    )
    application = Application.objects.get()
    assert paid["Location"] == f"/applications/{application.number}/acknowledgement/"
    assert application.fee_paise == 165_000 and _available(at) == 1_000_000 - 165_000
    assert application.fields["bill_amount_paise"] == 165_000  # kept as integer paise
    ack = client.get(paid["Location"]).content.decode()  # the receipt, in words, bilingual
    assert "এক হাজার ছয়শো পঞ্চাশ টাকা মাত্র" in ack
    assert "Rupees one thousand six hundred fifty only" in ack
    # Back, reload, or the same confirmation posted again: the same application, no payment.
    for step in ("review", "confirm"):
        again = client.post(
            url, {"form_token": token, **BILL, "bill_amount_paise": "1650", "step": step}
        )
        assert again["Location"] == paid["Location"]
    used = client.get(url).content.decode()
    assert application.number in used and 'id="apply-form"' not in used
    assert client.get(review["Location"]).status_code == 200
    assert Application.objects.count() == 1 and _available(at) == 1_000_000 - 165_000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("16.505", "দশমিকের পরে পয়সার জন্য বড়জোর দুটি অঙ্ক লিখুন।"),
        ("-50", "পরিমাণ ঋণাত্মক হতে পারে না।"),
        ("0", "পরিমাণ শূন্যের বেশি হতে হবে।"),
        ("ষোলশো", "পরিমাণটি টাকায় লিখুন"),
    ],
)
def test_a_refused_amount_says_why_and_keeps_what_was_typed(typed: str, message: str) -> None:
    at = counter()
    service, citizen = bill_service(), CitizenFactory()
    client = _client(at)
    url, token = _open_form(client, citizen.public_id, service.code)
    response = client.post(
        url, {"form_token": token, **BILL, "bill_amount_paise": typed, "step": "review"}
    )
    page = response.content.decode()
    assert response.status_code == 422 and message in page
    assert f'value="{typed}"' in page and 'value="112233445"' in page
    assert Application.objects.count() == 0


def test_english_page_gets_english_words_and_messages() -> None:
    at = counter()
    service, citizen = bill_service(), CitizenFactory()
    client = _client(at, "en")
    url, token = _open_form(client, citizen.public_id, service.code)
    bad = client.post(url, {"form_token": token, **BILL, "bill_amount_paise": "1,650.505"})
    assert "Enter at most two digits of paise after the point." in bad.content.decode()
    review = client.post(url, {"form_token": token, **BILL, "bill_amount_paise": "16,50,000"})
    assert review.status_code == 302
    page = client.get(review["Location"]).content.decode()
    # The wallet holds ₹10,000: too little; the page says so and will not pay.
    assert "₹16,50,000.00" in page and "Rupees sixteen lakh fifty thousand only" in page
    assert "does not hold enough" in page and re.search(r'id="confirm-payment"\s+disabled', page)


def test_the_same_bill_twice_a_day_needs_an_explicit_yes() -> None:
    at = counter(amount_paise=1_000_000)
    service, citizen = bill_service(), CitizenFactory()
    client = _client(at, "en")
    data = {**BILL, "bill_amount_paise": "1650", "step": "confirm"}
    url, token = _open_form(client, citizen.public_id, service.code)
    client.post(url, {"form_token": token, **data})
    first = Application.objects.get()
    url, token = _open_form(client, citizen.public_id, service.code)  # a new form, the same bill
    review = client.post(url, {"form_token": token, **data, "step": "review"})
    page = client.get(review["Location"]).content.decode()
    assert "already paid today at" in page and first.number in page
    refused = client.post(url, {"form_token": token, **data})
    assert refused.status_code == 409 and Application.objects.count() == 1
    again = client.post(url, {"form_token": token, **data, "pay_again": "1"})
    assert again.status_code == 302 and Application.objects.count() == 2
    # Another amount, or another consumer, is not the same bill.
    url, token = _open_form(client, citizen.public_id, service.code)
    other = client.post(url, {"form_token": token, **data, "consumer_id": "998877665"})
    assert other.status_code == 302 and Application.objects.count() == 3
    assert _available(at) == 1_000_000 - 3 * 165_000


def test_a_free_service_is_submitted_without_a_confirmation() -> None:
    at = counter()
    service, citizen = free_service(), CitizenFactory()
    client = _client(at)
    url, token = _open_form(client, citizen.public_id, service.code)
    response = client.post(url, {"form_token": token, "applicant_note": "Widow"})
    assert response.status_code == 302 and "acknowledgement" in response["Location"]


def test_a_form_sent_after_the_session_ended_comes_back_filled(client: Client) -> None:
    at = counter()
    service, citizen = bill_service(), CitizenFactory()
    logged = _client(at)
    url, token = _open_form(logged, citizen.public_id, service.code)
    client.cookies["django_language"] = "bn"
    # This browser's session has ended (it never logged in): the POST must not be lost.
    sent = client.post(
        url, {"form_token": token, **BILL, "bill_amount_paise": "1,650", "step": "review"}
    )
    assert sent.status_code == 302 and sent["Location"].startswith("/accounts/login/")
    assert Application.objects.count() == 0
    login = client.post(
        sent["Location"], {"username": at.operator.username, "password": TEST_PASSWORD}
    )
    assert login.status_code == 302
    back = client.get(login["Location"])
    page = back.content.decode()
    assert f"t={token}" in login["Location"] and back.status_code == 200
    assert 'value="1,650"' in page and 'value="112233445"' in page
    assert "সেশন শেষ হয়ে গিয়েছিল" in page


def test_every_service_of_the_catalogue_is_reachable_by_page_department_and_search() -> None:
    catalogue_load()
    at = counter()
    citizen = CitizenFactory()
    client = _client(at)
    services = {s.code: s for s in Service.objects.filter(is_active=True)}
    assert len(services) == 71
    link = re.compile(rf"/counter/citizens/{citizen.public_id}/apply/([a-z0-9_]+)/")
    base = f"/counter/citizens/{citizen.public_id}/"
    seen: set[str] = set()
    page_number = 1
    while True:
        page = client.get(base, {"page": page_number}).content.decode()
        seen |= set(link.findall(page))
        if 'rel="next"' not in page:
            break
        page_number += 1
    assert seen == set(services) and page_number > 1
    assert not any(f">{code}<" in page for code in services)  # no internal code shown
    by_department: set[str] = set()
    for code in {s.department.code for s in services.values()}:
        page = client.get(base, {"department": code}).content.decode()
        found = set(link.findall(page))
        assert found == {c for c, s in services.items() if s.department.code == code}
        by_department |= found
    assert by_department == set(services)
    for service in services.values():
        for lang, name in (("bn", service.name_bn), ("en", service.name_en)):
            client.cookies["django_language"] = lang
            found = link.findall(client.get(base, {"q": name}).content.decode())
            assert service.code in found, (lang, name)


def test_a_returned_application_with_an_amount_is_corrected_in_rupees(client: Client) -> None:
    """The correction form shows the amount in rupees and reads it back the same way, so
    resubmitting without touching it keeps the fee (it is refused if the fee changes)."""
    at = counter(amount_paise=1_000_000)
    service = ServiceFactory(workflow_code="single_approval")
    FormFieldFactory(service=service, name="note", example="x")
    FormFieldFactory(
        service=service,
        name="duty_paise",
        type="paise",
        example="165000",
        label_en="Duty (paise)",
        label_bn="শুল্ক (পয়সা)",
    )
    FeeHeadFactory(service=service, code="duty", amount_paise=0, amount_from_field="duty_paise")
    published(service)
    application = submitted(at=at, service=service, fields={"note": "a", "duty_paise": 165_050})
    application_act(
        application=application, action="return", actor=officer_of(service), comment="Note"
    )
    client.force_login(at.operator)
    client.cookies["django_language"] = "en"
    detail = client.get(f"/applications/{application.number}/").content.decode()
    assert 'value="1650.50"' in detail and "Duty (₹)" in detail and "(paise)" not in detail
    client.post(
        f"/applications/{application.number}/",
        {"action": "resubmit", "field_note": "b", "field_duty_paise": "1,650.50"},
    )
    application.refresh_from_db()
    assert application.status == "pending_approval"
    assert application.fields == {"note": "b", "duty_paise": 165_050}


@pytest.mark.parametrize("typed", ["৯৬,০০০", "96,000", "₹ 96,000", " 96000 "])
def test_a_whole_number_typed_with_commas_or_bengali_digits_is_read(typed: str) -> None:
    """An income typed as people write it (Bengali digits, Indian commas, a ₹) is the
    number 96000, not "Enter a whole number"."""
    at = counter()
    service = ServiceFactory()
    FormFieldFactory(service=service, name="annual_family_income", type="number", example="96000")
    published(service)
    citizen = CitizenFactory()
    client = _client(at)
    url, token = _open_form(client, citizen.public_id, service.code)
    response = client.post(url, {"form_token": token, "annual_family_income": typed})
    assert response.status_code == 302 and "acknowledgement" in response["Location"]
    assert Application.objects.get().fields["annual_family_income"] == 96000


@pytest.mark.parametrize("typed", ["96000.50", "৯৬ হাজার", "-5,000"])
def test_a_number_that_is_not_whole_is_refused_and_kept_as_typed(typed: str) -> None:
    at = counter()
    service = ServiceFactory()
    FormFieldFactory(service=service, name="annual_family_income", type="number", example="96000")
    published(service)
    client = _client(at)
    url, token = _open_form(client, CitizenFactory().public_id, service.code)
    response = client.post(url, {"form_token": token, "annual_family_income": typed})
    page = response.content.decode()
    assert Application.objects.count() == 0
    assert "একটি পূর্ণসংখ্যা লিখুন" in page and f'value="{typed}"' in page


@pytest.mark.parametrize(("language", "label"), [("bn", "ট্যাক্সি"), ("en", "Taxi")])
def test_a_choice_fields_example_is_its_label_in_the_pages_language(
    language: str, label: str
) -> None:
    from django.utils import translation

    from sahayata.applications.views.counter_apply import _example

    spec = {
        "type": "choice",
        "example": "taxi",
        "choices": [
            {"value": "taxi", "label_en": "Taxi", "label_bn": "ট্যাক্সি"},
            {"value": "bus", "label_en": "Bus", "label_bn": "বাস"},
        ],
    }
    with translation.override(language):
        assert _example(spec) == label
    assert _example({"type": "text", "example": "Ramesh Das"}) == "Ramesh Das"
