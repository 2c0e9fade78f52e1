"""Every page of the site in real Chromium under the enforced Content-Security-Policy, as
the role that uses it, listening for ``securitypolicyviolation`` events, console errors and
uncaught exceptions: any one fails the test. The pages' own scripts must still work: the
counter's rupee field echoes the amount in words, a form is sent once, the print buttons
print, the verify page checks the QR code's signature in the browser.

The walk: an operator applies for a paid service through the counter (typed rupees,
confirmation, acknowledgement, receipt) and asks for a top-up; two officers verify and
approve a certificate through the inbox; finance credits the top-up; the district, the
auditor and the administrator (the admin's index and a change page) read; the public reads
the home page, the dashboard, a milestone and its card, the transparency log, tracks the
application and verifies the certificate from its QR code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sahayata.applications.models import Application
from sahayata.catalogue.data import catalogue_load
from sahayata.catalogue.models import Service
from sahayata.certificates.models import Certificate
from sahayata.certificates.services import certificate_token
from sahayata.core.money import amount_in_words
from sahayata.people.models import Role
from sahayata.site.outbox import outbox_drain
from sahayata.transparency.models import Milestone
from sahayata.wallet.models import TopUp
from tests.browser_helpers import wait_until
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.people import TEST_PASSWORD, CitizenFactory, UserFactory, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reports each violation to Python (expose_binding), in every document, from its start.
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    directive: event.effectiveDirective, blocked: event.blockedURI,
    sample: event.sample, source: event.sourceFile, line: event.lineNumber,
    page: document.location.href,
  });
});
"""
# One turn of the event loop after a frame: violations already raised have been dispatched.
SETTLE = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))"


@dataclass
class Watch:
    """What went wrong in a browser context: CSP violations, console errors, exceptions."""

    base: str
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> Any:
        context.expose_binding(
            "__cspViolation", lambda _source, report: self.problems.append(f"CSP {report}")
        )
        context.add_init_script(LISTEN)
        context.add_cookies([{"name": "django_language", "value": "bn", "url": self.base}])
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console {message.type}: {message.text} ({page.url})")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"exception {error} ({page.url})"))
        page.on(
            "requestfinished",
            lambda request: (
                self.problems.append(f"{request.url} answered {status}")
                if (status := request.response().status) >= 400  # type: ignore[union-attr]
                else None
            ),
        )
        return page

    def settled(self, page: Any) -> None:
        """The page loaded, its scripts ran and nothing was refused or thrown."""
        page.wait_for_load_state("load")
        page.evaluate(SETTLE)
        self.visited.append(urlsplit(page.url).path)
        assert self.problems == [], f"on {page.url}: {self.problems}"

    def visit(self, page: Any, path: str) -> Any:
        response = page.goto(f"{self.base}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp, (path, csp)
        self.settled(page)
        return response


@pytest.fixture
def watch(live_server: Any, browser: Any) -> Iterator[tuple[Watch, Any]]:
    contexts: list[Any] = []
    spy = Watch(base=live_server.url)

    def new_page() -> Any:
        context = browser.new_context(locale="bn-IN", viewport={"width": 1366, "height": 900})
        contexts.append(context)
        return spy.attach(context)

    yield spy, new_page
    for context in contexts:
        context.close()


ENROL, SECOND_FACTOR = "/accounts/two-factor/enrol/", "/accounts/two-factor/"


def log_in(spy: Watch, page: Any, user: Any, *, path: str = "/accounts/login/") -> None:
    """Through the forms; finance and administrators also give the second factor (their
    first time, they enrol an authenticator and are shown their recovery codes)."""
    spy.visit(page, path)
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: urlsplit(url).path not in (path, "/start/"))
    spy.settled(page)
    if urlsplit(page.url).path not in (ENROL, SECOND_FACTOR):
        return
    enrolling = urlsplit(page.url).path == ENROL
    device = TOTPDevice.objects.get(user=user, confirmed=not enrolling)
    page.fill("#id_code", totp_code(device))
    page.press("#id_code", "Enter")
    if enrolling:  # the recovery codes are shown once, then on to the role's page
        page.wait_for_selector("main a.button")
        spy.settled(page)
        page.click("main a.button")
    page.wait_for_url(lambda url: urlsplit(url).path not in (ENROL, SECOND_FACTOR, "/start/"))
    spy.settled(page)


def prints_once(spy: Watch, page: Any) -> None:
    """The Print button (no inline handler any more) calls window.print once."""
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") == 1
    spy.settled(page)


def test_the_watch_sees_a_violation(watch: tuple[Watch, Any]) -> None:
    """The listener works: an inline script added to a page is refused and reported."""
    spy, new_page = watch
    page = new_page()
    spy.visit(page, "/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.append(s); }"
    )
    page.evaluate(SETTLE)
    assert page.evaluate("window.x") is None  # not run
    assert any("script-src" in problem for problem in spy.problems), spy.problems


def test_every_page_runs_under_the_policy_with_its_scripts_working(
    watch: tuple[Watch, Any],
) -> None:
    spy, new_page = watch
    catalogue_load()
    electricity = Service.objects.get(code="electricity_bill")
    at = counter(amount_paise=10_00_000_00)
    citizen = CitizenFactory(name_bn="রিনা দাস", name_en="Rina Das")
    caste = certificate_service(name_en="Caste certificate", name_bn="জাতিগত শংসাপত্র")
    for_certificate = submitted(at=at, service=caste, citizen=citizen)

    # The operator: a paid bill through the counter, typed in rupees, confirmed.
    operator = new_page()
    log_in(spy, operator, at.operator)
    spy.visit(operator, "/counter/")
    spy.visit(operator, "/counter/citizens/new")
    spy.visit(operator, f"/counter/citizens/{citizen.public_id}/")
    spy.visit(operator, f"/counter/citizens/{citizen.public_id}/apply/{electricity.code}/")
    operator.fill("#f_consumer_id", "112233445")
    operator.type("#f_bill_amount_paise", "১,৬৫০")  # key by key
    operator.locator("#f_bill_amount_paise-echo").filter(
        has_text=amount_in_words(165_000, lang="bn")
    ).wait_for()  # core/amount.js ran
    if operator.locator("#doc_bill").count():
        operator.set_input_files(
            "#doc_bill",
            files=[{"name": "bill.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
        )
    operator.click("#submit-application")
    operator.wait_for_selector("#confirmation")
    spy.settled(operator)
    operator.dblclick("#confirm-payment")  # a double click: core/site.js sends it once
    operator.wait_for_url("**/acknowledgement/")
    spy.settled(operator)
    bill = Application.objects.get(service=electricity)
    assert bill.fee_paise == 165_000
    prints_once(spy, operator)
    spy.visit(operator, f"/applications/{bill.number}/acknowledgement/?format=receipt")
    prints_once(spy, operator)
    spy.visit(operator, f"/applications/{bill.number}/")
    spy.visit(operator, "/counter/today/")
    spy.visit(operator, "/wallet/statement/")
    spy.visit(operator, "/wallet/")
    operator.type("#id_amount", "২৫০০")
    operator.locator(".amount-echo").filter(
        has_text=amount_in_words(2_500_00, lang="bn")
    ).wait_for()
    operator.fill("#id_bank_reference", "UTR20261203")
    operator.click("form.stack button[type=submit]")
    operator.wait_for_selector("ul.messages li")
    spy.settled(operator)
    topup = TopUp.objects.get(bank_reference="UTR20261203")

    # Two officers: verify, then approve, through the inbox; the certificate page.
    verifier, approver = officer_of(caste), officer_of(caste)
    officer = new_page()
    log_in(spy, officer, verifier)
    spy.visit(officer, "/inbox/")
    spy.visit(officer, "/rtps/")
    spy.visit(officer, f"/applications/{for_certificate.number}/")
    officer.click("button[value=verify]")
    officer.wait_for_selector("#second-officer")
    spy.settled(officer)
    second = new_page()
    log_in(spy, second, approver)
    spy.visit(second, f"/applications/{for_certificate.number}/")
    second.click("button[value=approve]")
    second.wait_for_selector("#status:text('অনুমোদিত')")
    spy.settled(second)
    certificate = Certificate.objects.get(application=for_certificate)
    spy.visit(second, f"/certificates/{certificate.id}/")
    prints_once(spy, second)

    # Finance credits the operator's top-up.
    finance = new_page()
    log_in(spy, finance, UserFactory(role=Role.FINANCE))
    spy.visit(finance, "/accounts/two-factor/recovery-codes/")
    spy.visit(finance, "/wallet/topups/")
    finance.locator(
        f"#pending-topups tr[data-reference='{topup.bank_reference}'] button"
    ).first.click()
    finance.wait_for_selector("ul.messages li")
    spy.settled(finance)
    assert TopUp.objects.get(pk=topup.pk).status == "credited"

    # The district, the auditor: their consoles.
    district = new_page()
    log_in(spy, district, UserFactory(role=Role.DISTRICT, district=at.centre.district))
    spy.visit(district, "/district/")
    spy.visit(district, f"/wallet/?centre={at.centre.code}")
    auditor = new_page()
    log_in(spy, auditor, UserFactory(role=Role.AUDITOR))
    spy.visit(auditor, "/audit/")
    auditor.click("#checks button[type=submit]")
    auditor.wait_for_selector("[data-testid=ledger-status]")
    spy.settled(auditor)
    spy.visit(auditor, "/audit/trail/")

    # The administrator: the admin's login, index, a list and change pages with widgets.
    admin = new_page()
    root = UserFactory(role=Role.ADMIN, username="root")
    TOTPDevice.objects.create(user=root, name="phone", confirmed=True)  # enrolled before
    log_in(spy, admin, root, path="/admin/login/")
    spy.visit(admin, "/admin/")
    spy.visit(admin, "/admin/people/user/")
    spy.visit(admin, f"/admin/people/user/{at.operator.pk}/change/")
    spy.visit(admin, f"/admin/catalogue/service/{caste.pk}/change/")
    spy.visit(admin, "/admin/applications/holiday/add/")
    spy.visit(admin, "/api/v1/docs")
    admin.wait_for_selector(".swagger-ui .opblock")  # the Swagger UI drew the document
    admin.locator(".swagger-ui .opblock-summary").first.click()  # an operation, opened
    admin.wait_for_selector(".swagger-ui .opblock-body select")  # styled by a data: image
    admin.locator(".swagger-ui .models-control, .swagger-ui .model-box-control").first.click()
    spy.settled(admin)

    # The public: home, dashboard, a milestone and its card, the log, tracking, verifying.
    outbox_drain()  # the worker's part: rollups folded, the bill's back end confirmed
    call_command("log_publish", verbosity=0)  # a signed head for the log's page
    public = new_page()
    spy.visit(public, "/")
    spy.visit(public, "/dashboard/")
    assert public.locator("svg.chart").count() > 0
    milestone = Milestone.objects.create(
        metric=Milestone.Metric.PAISE,
        threshold=10**9,
        crossed_at=timezone.now(),
        value_after=10**9 + 1,
        centre_id=at.centre.pk,
        service_id=electricity.pk,
    )
    spy.visit(public, f"/dashboard/milestones/{milestone.pk}/")
    public.locator(".share img").scroll_into_view_if_needed()  # loading="lazy"
    wait_until(public, "document.querySelector('.share img').naturalWidth === 1200")
    spy.settled(public)  # the card drew as an image, its inline style refused nowhere
    spy.visit(public, f"/dashboard/milestones/{milestone.pk}/card.svg")  # alone, as shared
    bill.refresh_from_db()  # the receipt's log QR code: ledgerlog/verify.js checks the proof
    receipt = urlencode({"application_no": bill.number, "salt": bill.log_salt})
    spy.visit(public, f"/dashboard/log/#{receipt}")
    wait_until(public, "document.getElementById('log-check-result').dataset.verified")
    spy.settled(public)
    assert "যাচাই" in public.inner_text("#log-check-result")
    spy.visit(public, "/track/")
    public.fill("#application_no", bill.number)
    public.fill("#mobile", citizen.mobile)
    public.click("#track-form button[type=submit]")
    public.wait_for_selector("#track-result")
    spy.settled(public)
    spy.visit(public, f"/verify/{certificate.id}#{certificate_token(certificate)}")
    # verify.js: the signed token checked in the page (or posted to the server's check).
    public.wait_for_selector("#qr-verdict[data-result=good], #payload-verdict")
    spy.settled(public)
    if public.locator("#qr-verdict[data-result=good]").count():
        assert "রিনা দাস" in public.inner_text("#qr-verdict")
        print("verify.js checked the signature with Web Crypto")
    else:
        assert "স্বাক্ষর" in public.inner_text("#payload-verdict")
    spy.visit(public, "/verify/")
    public.context.clear_cookies()  # a form sent without its CSRF cookie: Django's 403 page
    public.fill("#payload", "SHY1.e30.AA")
    public.click("#payload-form button[type=submit]")
    public.wait_for_selector("#csrf-failure")
    public.evaluate(SETTLE)
    refused = [p for p in spy.problems if "403" in p]  # the page's own status, as expected
    assert refused, spy.problems
    spy.problems[:] = [p for p in spy.problems if p not in refused]
    spy.settled(public)
    spy.visit(public, "/accounts/login/")
    spy.visit(public, "/admin/login/")

    assert len(set(spy.visited)) >= 30, sorted(set(spy.visited))
    assert spy.problems == []
