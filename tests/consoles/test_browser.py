"""Each role's console in real Chromium, at a desktop (1366 px) and a phone (360 px):
the officer's inbox, finance's queue, the district, the auditor, Bengali first with an
English browser, and a certificate that prints labels. Every page visited
passes the shared checks (tests/browser_helpers.py: screenshot, no sideways scroll, favicon,
axe-core)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sahayata.applications.models import Application
from sahayata.applications.services import application_act, local_today
from sahayata.certificates.models import Certificate
from sahayata.people.models import Role
from sahayata.wallet.models import TopUp
from tests.browser_helpers import pass_second_factor
from tests.certificates.test_labels import caste_certificate_service
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.catalogue import free_service
from tests.factories.people import TEST_PASSWORD, CitizenFactory, UserFactory
from tests.factories.places import BlockFactory, CentreFactory, DistrictFactory
from tests.factories.wallet import TopUpFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1366, 900), "phone": (360, 740)}


@pytest.fixture(params=sorted(WIDTHS))
def sized(request: pytest.FixtureRequest, page: Any, page_checks: Any) -> Iterator[Any]:
    width, height = WIDTHS[request.param]
    page.set_viewport_size({"width": width, "height": height})
    page.checks = page_checks
    yield page


def shot(page: Any, step: str) -> None:
    """The shared checks on the page as it is now (screenshot, no sideways scroll, axe)."""
    page.checks.check(page, step)


def log_in(page: Any, live_server: Any, user: Any) -> str:
    """Log in through the form, with no ``next``: returns the path the role lands on."""
    page.goto(f"{live_server.url}/accounts/login/")
    shot(page, "login")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form button[type=submit]")
    pass_second_factor(page, user)
    page.wait_for_url(lambda url: urlsplit(url).path not in ("/accounts/login/", "/start/"))
    return str(urlsplit(page.url).path)


def log_out(page: Any) -> None:
    page.click("header form[action$='logout/'] button")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def test_officer_finds_todays_application_pages_and_decides(live_server: Any, sized: Any) -> None:
    at = counter()
    service = certificate_service(time_limit_days=15)
    backlog = [submitted(at=at, service=service) for _ in range(52)]
    # The backlog is old and overdue; today's application is due last, so on the last page.
    Application.objects.filter(pk__in=[a.pk for a in backlog]).update(
        due_date=local_today() - dt.timedelta(days=20)
    )
    citizen = CitizenFactory(name_en="Kakali Bose", name_bn="কাকলি বসু", mobile="9830055555")
    today = submitted(at=at, service=service, citizen=citizen)
    verifier, approver = officer_of(service), officer_of(service)
    page = sized
    assert log_in(page, live_server, verifier) == "/inbox/"
    assert page.get_by_test_id("awaiting").inner_text() == "৫৩"
    assert page.locator(f"#inbox a:text-is('{today.number}')").count() == 0  # page 1: overdue
    shot(page, "1-inbox")
    page.click("nav.pages a[rel=next]")
    page.wait_for_url("**page=2")
    assert page.locator(f"#inbox a:text-is('{today.number}')").count() == 1
    shot(page, "1-inbox-page-2")
    for query in (today.number, "98300 55555"):
        page.fill("#q", query)
        page.click("#inbox-filters button[type=submit]")
        page.wait_for_selector(f"#inbox a:text-is('{today.number}')")
        assert page.locator("#inbox tbody tr").count() == 1, query
    shot(page, "2-found-by-mobile")
    page.click(f"#inbox a:text-is('{today.number}')")
    page.wait_for_selector("button[value=verify]")
    assert "father_name" not in page.inner_text("#form-fields")
    shot(page, "3-application")
    page.click("button[value=verify]")
    page.wait_for_selector("#second-officer")
    assert page.locator("button[value=approve]").count() == 0
    shot(page, "3-verified")
    log_out(page)
    assert log_in(page, live_server, approver) == "/inbox/"
    page.goto(f"{live_server.url}/applications/{today.number}/")
    shot(page, "4-second-officer")
    page.click("button[value=approve]")
    page.wait_for_selector("#status:text('অনুমোদিত')")
    today.refresh_from_db()
    assert today.status == "approved"
    shot(page, "4-approved")


def test_finance_must_give_a_reason_and_the_history_shows_it(live_server: Any, sized: Any) -> None:
    topup = TopUpFactory(amount_paise=2_500_00)
    finance = UserFactory(role=Role.FINANCE)
    page = sized
    assert log_in(page, live_server, finance) == "/wallet/topups/"
    row = page.locator(f"#pending-topups tr[data-reference='{topup.bank_reference}']")
    shot(page, "1-queue")
    row.locator("button.danger").click()  # no reason: the browser refuses to send it
    assert TopUp.objects.get(pk=topup.pk).status == "requested"
    # Sent anyway (the attribute removed, as an old page or a script would): refused.
    row.locator("input[name=reason]").evaluate("input => input.removeAttribute('required')")
    row.locator("button.danger").click()
    page.wait_for_selector(".messages li.error")
    assert "কারণ" in page.inner_text(".messages li.error")
    assert TopUp.objects.get(pk=topup.pk).status == "requested"
    shot(page, "2-reason-required")
    row = page.locator(f"#pending-topups tr[data-reference='{topup.bank_reference}']")
    row.locator("input[name=reason]").fill("ব্যাংকে এই জমা পাওয়া যায়নি")
    row.locator("button.danger").click()
    page.wait_for_selector(f"#topup-history tr[data-reference='{topup.bank_reference}']")
    history = page.locator(f"#topup-history tr[data-reference='{topup.bank_reference}']")
    assert "ব্যাংকে এই জমা পাওয়া যায়নি" in history.inner_text()
    assert TopUp.objects.get(pk=topup.pk).reject_reason == "ব্যাংকে এই জমা পাওয়া যায়নি"
    shot(page, "3-history")


def test_district_sees_only_its_district(live_server: Any, sized: Any) -> None:
    home = DistrictFactory(name_en="Howrah", name_bn="হাওড়া")
    away = DistrictFactory(name_en="Darjeeling", name_bn="দার্জিলিং")
    here = counter(centre=CentreFactory(block=BlockFactory(district=home)))
    there = counter(centre=CentreFactory(block=BlockFactory(district=away)))
    service = free_service()
    citizen = CitizenFactory(mobile="9433023456")
    mine = submitted(at=here, service=service, citizen=citizen)
    theirs = submitted(at=there, service=service, citizen=citizen)
    nodal = UserFactory(role=Role.DISTRICT, district=home)
    page = sized
    assert log_in(page, live_server, nodal) == "/district/"
    assert "হাওড়া" in page.inner_text("#district-name")
    assert page.locator(f"#district-centres tr[data-centre='{here.centre.code}']").count() == 1
    assert page.locator(f"#district-centres tr[data-centre='{there.centre.code}']").count() == 0
    shot(page, "1-district")
    page.fill("#q", "9433023456")
    page.click("#application-search button[type=submit]")
    page.wait_for_selector("#search-results")
    results = page.inner_text("#search-results")
    assert mine.number in results and theirs.number not in results
    shot(page, "2-search")
    page.click(f"#district-centres tr[data-centre='{here.centre.code}'] a")
    page.wait_for_url(f"**/wallet/?centre={here.centre.code}")
    shot(page, "3-centre-wallet")
    response = page.goto(f"{live_server.url}/wallet/?centre={there.centre.code}")
    assert response.status == 404
    page.goto(f"{live_server.url}/rtps/")
    assert "হাওড়া" in page.inner_text("#rtps-scope")
    shot(page, "4-rtps")


def test_auditor_reads_searches_and_checks(live_server: Any, sized: Any) -> None:
    at = counter()
    application = submitted(at=at, service=free_service())
    TopUpFactory(centre=at.centre)
    auditor = UserFactory(role=Role.AUDITOR)
    page = sized
    assert log_in(page, live_server, auditor) == "/audit/"
    assert page.locator("#read-only").count() == 1
    page.fill("#q", application.number)
    page.click("#application-search button[type=submit]")
    page.wait_for_selector(f"#search-results a:text-is('{application.number}')")
    shot(page, "1-search")
    page.fill("#q", at.centre.code)
    page.click("#application-search button[type=submit]")
    page.wait_for_selector(f"#centres-found tr[data-centre='{at.centre.code}']")
    page.click("#checks button[type=submit]")
    page.wait_for_selector("[data-testid=ledger-status]")
    assert page.get_by_test_id("ledger-status").inner_text() == "সব অপরিবর্তনীয় শর্ত বজায় আছে"
    shot(page, "2-checks")
    page.goto(f"{live_server.url}/applications/{application.number}/")
    assert page.locator("button[name=action]").count() == 0
    shot(page, "3-application-read-only")
    page.goto(f"{live_server.url}/wallet/topups/")
    assert page.locator("#pending-topups button").count() == 0
    shot(page, "4-topups-read-only")


def test_bengali_by_default_in_an_english_browser_until_switched(
    live_server: Any, browser: Any, page_checks: Any
) -> None:
    for name, (width, height) in sorted(WIDTHS.items()):
        context = browser.new_context(locale="en-US", viewport={"width": width, "height": height})
        page = context.new_page()
        page.checks = page_checks
        try:
            page.goto(f"{live_server.url}/")
            assert page.get_attribute("html", "lang") == "bn", name
            shot(page, "1-bengali")
            page.click("form.lang-switch button[value=en]")
            page.wait_for_selector("html[lang=en]")
            page.goto(f"{live_server.url}/track/")  # remembered on the next page
            assert page.get_attribute("html", "lang") == "en"
            shot(page, "2-english-remembered")
            cookie = next(c for c in context.cookies() if c["name"] == "django_language")
            assert cookie["value"] == "en" and cookie["expires"] > 0  # not a session cookie
        finally:
            context.close()


def test_certificate_prints_labels_not_keys(live_server: Any, sized: Any) -> None:
    service = caste_certificate_service()
    application = submitted(at=counter(), service=service)
    application_act(application=application, action="verify", actor=officer_of(service))
    approver = officer_of(service)
    application_act(application=application, action="approve", actor=approver)
    certificate = Certificate.objects.get(application=application)
    page = sized
    log_in(page, live_server, approver)
    page.goto(f"{live_server.url}/certificates/{certificate.id}/")
    text = page.inner_text("article.certificate")
    for key in ("guardian_name", "caste\t", "address", "social_category"):
        assert key not in text, key
    assert "পিতা বা স্বামীর নাম" in text and "Father's or husband's name" in text
    assert "তফসিলি জাতি (SC)" in text and "\tsc" not in text
    shot(page, "1-screen")
    page.emulate_media(media="print")
    shot(page, "2-print")


def test_auditor_browses_filters_and_exports_the_audit_trail(live_server: Any, sized: Any) -> None:
    from sahayata.audit.services import audit_seal
    from sahayata.wallet.services import topup_approve, topup_request

    centre = CentreFactory()
    operator = UserFactory(role=Role.OPERATOR, centre=centre)
    topup = topup_request(
        centre=centre, amount_paise=150_000, bank_reference="UTRTRAIL1", requested_by=operator
    )
    topup_approve(topup_id=topup.pk, approved_by=UserFactory(role=Role.FINANCE))
    at = counter()
    submitted(at=at, service=free_service())
    audit_seal()
    auditor = UserFactory(role=Role.AUDITOR)
    page = sized
    assert log_in(page, live_server, auditor) == "/audit/"
    page.click("a[href='/audit/trail/']")
    page.wait_for_selector("#trail-events")
    assert page.locator("#trail-events tbody tr").count() >= 4
    shot(page, "1-trail")
    page.fill("#id_action", "topup")
    page.click("#trail-filter button[type=submit]")
    page.wait_for_url("**action=topup**")
    assert page.locator("#trail-events tbody tr").count() == 2
    assert page.locator("#trail-summary").inner_text().startswith("২টি ঘটনা")
    shot(page, "2-filtered")
    with page.expect_download() as download_info:
        page.click("#trail-export")
    body = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert body.splitlines()[0].startswith("id,at,actor_kind")
    assert len(body.splitlines()) == 3
    page.click("form.lang-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("#trail-summary").inner_text().startswith("2 events")
    shot(page, "3-english")
