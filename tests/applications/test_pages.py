"""The counter and office pages, through Django's test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sahayata.applications.models import Application, ApplicationDocument
from sahayata.applications.selectors import operator_day_summary, wallet_service_holds_on
from sahayata.applications.services import application_act
from sahayata.people.models import Citizen
from sahayata.wallet.models import Transfer
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.catalogue import bill_service, free_service, paid_service
from tests.factories.people import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% test document\n"


def test_find_register_and_search_in_both_languages(client: Client) -> None:
    at = counter()
    client.force_login(at.operator)
    CitizenFactory(
        name_en="Anjali Sen",
        name_bn="অঞ্জলি সেন",
        mobile="9433012345",
        registered_centre=at.centre,
    )
    assert "অঞ্জলি সেন" in client.post("/counter/", {"q": "অঞ্জলি"}).content.decode()
    assert "Anjali Sen" in client.post("/counter/", {"q": "9433012345"}).content.decode()
    response = client.post(
        "/counter/citizens/new",
        {"name_en": "Ruma Das", "name_bn": "রুমা দাস", "mobile": "98300 11111"},
    )
    assert response.status_code == 302
    bad = client.post("/counter/citizens/new", {"name_en": "X", "mobile": "12345"})
    assert bad.status_code == 422


@pytest.mark.parametrize("field", ["name_en", "name_bn"])
def test_an_over_long_name_is_refused_with_a_message_and_kept(client: Client, field: str) -> None:
    """A name longer than its column is refused in the page's language, with what was
    typed kept (on PostgreSQL it used to reach the database and fail)."""
    at = counter()
    client.force_login(at.operator)
    client.cookies["django_language"] = "bn"
    long_name = ("Ruma " if field == "name_en" else "রুমা ") * 41  # 205 characters
    posted = {"name_en": "Ruma Das", "name_bn": "রুমা দাস", "mobile": "9830011111"}
    response = client.post("/counter/citizens/new", {**posted, field: long_name})
    page = response.content.decode()
    assert response.status_code == 422
    assert "নাম সর্বাধিক ২০০টি অক্ষরের হতে পারে।" in page
    assert long_name.strip() in page and "9830011111" in page  # nothing typed is lost
    assert not Citizen.objects.filter(mobile__endswith="9830011111").exists()


def test_counter_submit_with_document_and_double_submit(client: Client) -> None:
    at = counter(amount_paise=10_000)
    service = certificate_service(amount_paise=3_000)
    citizen = CitizenFactory()
    client.force_login(at.operator)
    url = f"/counter/citizens/{citizen.public_id}/apply/{service.code}/"
    page = client.get(url, follow=True)
    assert page.status_code == 200 and "₹" in page.content.decode()
    data = {
        "step": "confirm",
        "form_token": "tok-123",
        "father_name": "Ramesh Das",
        "doc_identity": SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf"),
    }
    first = client.post(url, data)
    assert first.status_code == 302
    number = Application.objects.get().number
    assert first["Location"] == f"/applications/{number}/acknowledgement/"
    data["doc_identity"] = SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")
    second = client.post(url, data)  # a double click or a retry: same form token
    assert second["Location"] == first["Location"]
    assert Application.objects.count() == 1
    ack = client.get(first["Location"]).content.decode()
    assert number in ack and "<svg" in ack and "₹৩০.০০" in ack and "₹30.00" in ack
    receipt = client.get(first["Location"] + "?format=receipt")
    assert receipt.status_code == 200 and b"applications/receipt.css" in receipt.content  # 80 mm
    document = ApplicationDocument.objects.get()
    doc_url = f"/applications/{number}/documents/{document.pk}/"
    assert client.get(doc_url).status_code == 200
    client.force_login(UserFactory(role="operator"))
    assert client.get(doc_url).status_code == 404
    assert client.get(first["Location"]).status_code == 404


def test_counter_refuses_wrong_document_type_and_size(client: Client) -> None:
    at = counter()
    service = certificate_service()
    citizen = CitizenFactory()
    client.force_login(at.operator)
    url = f"/counter/citizens/{citizen.public_id}/apply/{service.code}/"
    exe = SimpleUploadedFile("id.pdf", b"MZ\x90\x00fake", content_type="application/pdf")
    response = client.post(url, {"form_token": "a", "father_name": "R", "doc_identity": exe})
    assert response.status_code == 422
    big = SimpleUploadedFile(
        "id.pdf", PDF + b"0" * (2 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(url, {"form_token": "b", "father_name": "R", "doc_identity": big})
    assert response.status_code == 422
    missing = client.post(url, {"form_token": "c", "father_name": "R"})
    assert missing.status_code == 422
    assert Application.objects.count() == 0


def test_counter_shows_insufficient_funds(client: Client) -> None:
    at = counter(amount_paise=100)
    service = paid_service(amount_paise=4_000)
    client.force_login(at.operator)
    citizen = CitizenFactory()
    response = client.post(
        f"/counter/citizens/{citizen.public_id}/apply/{service.code}/",
        {"form_token": "t", "plot_no": "12", "step": "confirm"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert Application.objects.count() == 0


def test_operator_day_equals_the_wallets_movements(client: Client) -> None:
    at = counter(amount_paise=1_000_000)
    paid = paid_service(amount_paise=4_000)
    bill = bill_service()
    submitted(at=at, service=free_service())
    first = submitted(at=at, service=paid)
    submitted(at=at, service=paid)
    submitted(at=at, service=bill, fields={"consumer_id": "112233445", "bill_amount_paise": 12_345})
    # A rejection the same day voids one hold: it was held at submission (the ledger's
    # holds of the day still match) but is refunded, so not collected.
    application_act(application=first, action="reject", actor=officer_of(paid), comment="No")
    # Another centre's activity is not counted.
    other = counter()
    submitted(at=other, service=paid)
    today = timezone.localdate()
    summary = operator_day_summary(centre_id=at.centre.pk, day=today)
    assert summary.count == 4 and summary.fee_paise == 4_000 * 2 + 12_345
    ledger_count, ledger_paise = wallet_service_holds_on(centre_id=at.centre.pk, day=today)
    independent = sum(
        t.amount_paise
        for t in Transfer.objects.filter(kind="pending", debit_account=at.wallet)
        if timezone.localtime(t.created_at).date() == today
    )
    assert summary.wallet_held_paise == ledger_paise == independent == summary.fee_paise
    assert ledger_count == 3 and summary.matches_wallet
    assert summary.refunded_paise == 4_000
    assert summary.collected_paise == 4_000 + 12_345
    assert [(r.application_no, r.amount_paise, r.expired) for r in summary.refunds] == [
        (first.number, 4_000, False)
    ]
    client.force_login(at.operator)
    page = client.get("/counter/today/").content.decode()
    assert "collection-total" in page and first.number in page
    assert 'id="collection-total">₹১৬৩.৪৫<' in page  # ₹40 + ₹123.45, not ₹203.45
    assert 'id="refunds-total">₹৪০.০০<' in page
    # The page is in Bengali by default: its date too, in Bengali digits.
    bengali_today = today.strftime("%d-%m-%Y").translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert bengali_today in page and today.strftime("%d-%m-%Y") not in page
    assert operator_day_summary(centre_id=at.centre.pk, day=today - dt.timedelta(days=1)).count == 0


def test_inbox_lists_only_the_officers_department_by_due_date(client: Client) -> None:
    at = counter()
    service = certificate_service(time_limit_days=5)
    slow = free_service(time_limit_days=30, department=service.department)
    late = submitted(at=at, service=slow)
    soon = submitted(at=at, service=service)
    foreign = submitted(at=at, service=paid_service())
    officer = officer_of(service)
    client.force_login(officer)
    page = client.get("/inbox/").content.decode()
    assert soon.number in page and late.number in page and foreign.number not in page
    assert page.index(soon.number) < page.index(late.number)
    detail = client.get(f"/applications/{soon.number}/").content.decode()
    assert 'value="verify"' in detail
    assert client.get(f"/applications/{foreign.number}/").status_code == 404
    response = client.post(f"/applications/{soon.number}/", {"action": "verify"})
    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.status == "pending_approval"
    assert client.get("/rtps/").status_code == 200
    client.force_login(at.operator)
    assert client.get("/inbox/").status_code == 403


def test_returned_application_is_corrected_and_resubmitted_at_the_counter(client: Client) -> None:
    at = counter()
    service = certificate_service()
    application = submitted(at=at, service=service)
    application_act(
        application=application, action="return", actor=officer_of(service), comment="Spelling"
    )
    client.force_login(at.operator)
    assert application.number in client.get("/counter/").content.decode()
    detail = client.get(f"/applications/{application.number}/").content.decode()
    assert 'name="field_father_name"' in detail and 'value="resubmit"' in detail
    client.post(
        f"/applications/{application.number}/",
        {"action": "resubmit", "field_father_name": "Ramesh Chandra Das"},
    )
    application.refresh_from_db()
    assert application.status == "pending_verification"
    assert application.fields == {"father_name": "Ramesh Chandra Das"}


@pytest.mark.parametrize(
    ("language", "shown", "hidden"), [("bn", "রমা দাস", None), ("en", "Rama Das", "রমা দাস")]
)
def test_the_citizen_is_named_in_the_pages_language(
    client: Client, language: str, shown: str, hidden: str | None
) -> None:
    """An English page names the citizen in English, a Bengali page in Bengali (the
    acknowledgement, a printed record, keeps both)."""
    at = counter()
    service = certificate_service()
    citizen = CitizenFactory(name_en="Rama Das", name_bn="রমা দাস")
    application = submitted(at=at, service=service, citizen=citizen)
    client.cookies["django_language"] = language
    client.force_login(officer_of(service))
    for url in ("/inbox/", f"/applications/{application.number}/"):
        page = client.get(url).content.decode()
        assert shown in page, url
        if hidden:
            assert hidden not in page, url


def test_a_form_with_a_bad_field_also_names_the_missing_document(client: Client) -> None:
    """One round fixes everything: the fields' and the documents' problems together."""
    at = counter()
    service = certificate_service()
    client.force_login(at.operator)
    client.cookies["django_language"] = "en"
    url = f"/counter/citizens/{CitizenFactory().public_id}/apply/{service.code}/"
    page = client.post(url, {"form_token": "d", "father_name": ""})
    assert page.status_code == 422
    text = page.content.decode()
    assert 'id="f_father_name-problem"' in text
    assert 'id="doc_identity-problem"' in text and "This document is required." in text
    assert Application.objects.count() == 0
