"""The counter as an operator meets it, in real Chromium, at 1366 px and at 360 px, in
Bengali and English: an amount typed in rupees (1650, ১,৬৫০) pays exactly that after a
confirmation; Back then Submit pays once; the same bill twice a day needs a yes; every
one of the 71 services can be reached; a form sent after the session ended comes back.

Every page visited passes the shared checks (tests/browser_helpers.py: screenshot in
var/screenshots/, no sideways scroll, favicon, no serious or critical axe-core violation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from sahayata.applications.models import Application
from sahayata.catalogue.data import catalogue_load
from sahayata.catalogue.models import Service
from sahayata.core.money import AmountError, amount_in_words, format_inr, parse_rupees
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import Counter, counter, submitted
from tests.factories.people import TEST_PASSWORD, CitizenFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": 1366, "phone": 360}
PDF = b"%PDF-1.4\n% a scanned bill\n"
# (size, language): each test runs on a desktop in Bengali and on a phone in English.
VARIANTS = [
    pytest.param(("desktop", "bn"), id="desktop-bn"),
    pytest.param(("phone", "en"), id="phone-en"),
]


@pytest.fixture
def screen(
    browser: Any, request: pytest.FixtureRequest, live_server: Any, page_checks: Any
) -> Iterator[Any]:
    size, lang = request.param if hasattr(request, "param") else ("desktop", "bn")
    context = browser.new_context(
        locale="bn-IN" if lang == "bn" else "en-IN",
        viewport={"width": SIZES[size], "height": 900},
    )
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.lang = lang  # type: ignore[attr-defined]
    page.base = live_server.url  # type: ignore[attr-defined]
    page.shot = lambda step: page_checks.check(page, step)  # type: ignore[attr-defined]
    yield page
    context.close()


def _log_in(page: Any, at: Counter, next_path: str) -> None:
    page.goto(f"{page.base}/accounts/login/?next={next_path}")
    page.shot("login")
    page.fill("#id_username", at.operator.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form.stack button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == urlsplit(next_path).path)


def _available(at: Counter) -> int:
    return wallet_balance(account=at.wallet).available_paise


def _electricity() -> Service:
    catalogue_load()
    return Service.objects.get(code="electricity_bill")


def _fill_bill(page: Any, amount: str, consumer: str = "112233445") -> None:
    page.fill("#f_consumer_id", consumer)
    page.fill("#f_bill_amount_paise", "")
    page.type("#f_bill_amount_paise", amount)  # key by key, as an operator types


def _confirm_if_asked(page: Any) -> None:
    if page.locator("#confirm-payment").count():
        page.click("#confirm-payment")
    page.wait_for_url("**/acknowledgement/")


@pytest.mark.parametrize(
    ("screen", "typed"),
    [
        pytest.param(("desktop", "bn"), "১,৬৫০", id="desktop-bn-bengali-digits"),
        pytest.param(("desktop", "en"), "1650", id="desktop-en-plain"),
        pytest.param(("phone", "bn"), "1650", id="phone-bn-plain"),
        pytest.param(("phone", "en"), "১,৬৫০", id="phone-en-bengali-digits"),
    ],
    indirect=["screen"],
)
def test_typing_1650_pays_rupees_1650_after_a_confirmation(screen: Any, typed: str) -> None:
    page, lang = screen, screen.lang
    at = counter(amount_paise=1_000_000)
    service, citizen = _electricity(), CitizenFactory(name_bn="রিনা দাস", name_en="Rina Das")
    _log_in(page, at, f"/counter/citizens/{citizen.public_id}/apply/{service.code}/")
    words, figures = amount_in_words(165_000, lang=lang), format_inr(165_000, lang=lang)
    _fill_bill(page, typed)
    echo = page.locator("#f_bill_amount_paise-echo")
    if echo.count():  # the browser's words are the server's words, in the page's language
        echo.filter(has_text=words).wait_for()
    echoed = echo.inner_text() if echo.count() else ""
    page.set_input_files(
        "#doc_bill", files=[{"name": "bill.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.shot("form")
    bar = page.inner_text("#counter-bar") if page.locator("#counter-bar").count() else ""
    page.click("#submit-application")
    page.wait_for_load_state()
    shown: dict[str, str] = {}
    if page.locator("#confirmation").count():
        assert _available(at) == 1_000_000 and Application.objects.count() == 0  # not yet
        for key in ("confirm-figures-1", "confirm-words-1", "wallet-after"):
            shown[key] = page.inner_text(f"#{key}").strip()
        page.shot("confirm")
        page.click("#confirm-payment")
    page.wait_for_url("**/acknowledgement/")
    page.shot("acknowledgement")
    application = Application.objects.get()
    assert _available(at) == 1_000_000 - 165_000  # the wallet moved by exactly ₹1,650.00
    assert application.fee_paise == 165_000 and application.documents.count() == 1
    assert figures in echoed and words in echoed
    assert shown == {
        "confirm-figures-1": figures,
        "confirm-words-1": words,
        "wallet-after": format_inr(1_000_000 - 165_000, lang=lang),
    }
    # The counter shows its centre and what the wallet holds.
    assert at.centre.name_en in bar or at.centre.name_bn in bar
    assert format_inr(1_000_000, lang=lang) in bar


@pytest.mark.parametrize("screen", VARIANTS, indirect=True)
def test_a_refused_amount_keeps_the_form_and_back_from_confirmation_keeps_it_too(
    screen: Any,
) -> None:
    page = screen
    at = counter(amount_paise=1_000_000)
    service, citizen = _electricity(), CitizenFactory()
    _log_in(page, at, f"/counter/citizens/{citizen.public_id}/apply/{service.code}/")
    _fill_bill(page, "1,650.505")
    page.locator("#f_bill_amount_paise-echo.amount-echo-problem").wait_for()
    page.click("#submit-application")
    page.wait_for_selector("#f_bill_amount_paise-problem")
    assert page.input_value("#f_bill_amount_paise") == "1,650.505"
    assert page.input_value("#f_consumer_id") == "112233445"
    page.shot("refused")
    _fill_bill(page, "1,650.50")
    page.click("#submit-application")
    page.wait_for_selector("#confirmation")
    page.click("#back-to-form")
    page.wait_for_selector("#apply-form")
    assert page.input_value("#f_bill_amount_paise") == "1,650.50"
    assert page.input_value("#f_consumer_id") == "112233445"
    assert Application.objects.count() == 0


@pytest.mark.parametrize("screen", VARIANTS, indirect=True)
def test_back_then_submit_pays_once(screen: Any) -> None:
    page = screen
    at = counter(amount_paise=1_000_000)
    service, citizen = _electricity(), CitizenFactory()
    _log_in(page, at, f"/counter/citizens/{citizen.public_id}/apply/{service.code}/")
    _fill_bill(page, "1650")
    page.click("#submit-application")
    _confirm_if_asked(page)
    page.shot("acknowledgement")
    number = page.inner_text("#application-number").strip()
    # The operator is unsure it went through: Back, and Submit again whatever is shown.
    for backs in (1, 2):  # Back to the confirmation, then Back to the form
        page.go_back()
        page.wait_for_load_state()
        if page.locator("#submit-application").count():
            if not page.input_value("#f_bill_amount_paise"):
                _fill_bill(page, "1650")
            page.click("#submit-application")
            _confirm_if_asked(page)
        elif page.locator("#confirm-payment").count():
            _confirm_if_asked(page)
        else:
            assert number in page.inner_text("#already-submitted")
            page.shot(f"back-{backs}")
            continue
        assert page.inner_text("#application-number").strip() == number
        page.shot(f"back-{backs}-resubmitted")
        page.go_back()  # and once more from the acknowledgement it led to
    page.reload()
    assert Application.objects.count() == 1
    assert _available(at) == 1_000_000 - 165_000  # −₹1,650 once, never −₹3,300


@pytest.mark.parametrize("screen", VARIANTS, indirect=True)
def test_the_same_bill_again_today_asks_before_paying(screen: Any) -> None:
    page, lang = screen, screen.lang
    at = counter(amount_paise=1_000_000)
    service, citizen = _electricity(), CitizenFactory()
    first = submitted(
        at=at, service=service, fields={"consumer_id": "112233445", "bill_amount_paise": 165_000}
    )
    _log_in(page, at, f"/counter/citizens/{citizen.public_id}/apply/{service.code}/")
    _fill_bill(page, "1,650")
    page.click("#submit-application")
    warning = page.locator("#duplicate-warning")
    warning.wait_for()
    assert first.number in warning.inner_text()
    page.shot("duplicate")
    page.click("#confirm-payment")  # without the yes: the browser asks for the box
    assert page.locator("#duplicate-warning").count() == 1
    assert Application.objects.count() == 1
    page.check("#pay-again")
    page.click("#confirm-payment")
    page.wait_for_url("**/acknowledgement/")
    page.shot("acknowledgement")
    assert Application.objects.count() == 2
    assert _available(at) == 1_000_000 - 2 * 165_000
    assert lang in {"bn", "en"}


@pytest.mark.parametrize("screen", VARIANTS, indirect=True)
def test_all_71_services_are_reachable(screen: Any) -> None:
    page, lang = screen, screen.lang
    catalogue_load()
    at = counter()
    citizen = CitizenFactory()
    services = {s.code: s for s in Service.objects.filter(is_active=True)}
    assert len(services) == 71
    base = f"/counter/citizens/{citizen.public_id}/"
    _log_in(page, at, base)
    prefix = f"/counter/citizens/{citizen.public_id}/apply/"
    seen: set[str] = set()
    while True:
        hrefs = page.eval_on_selector_all(
            "#services a.button", "links => links.map(a => a.getAttribute('href'))"
        )
        seen |= {href.removeprefix(prefix).strip("/") for href in hrefs}
        if not page.locator("#next-page").count():
            break
        page.click("#next-page")
        page.wait_for_load_state()
    assert seen == set(services)
    page.shot("last-page")
    # The four the old picker dropped, found by name in the page's language.
    for code in ("lakshmir_bhandar", "swasthya_sathi", "stamp_duty", "property_tax"):
        name = services[code].name_bn if lang == "bn" else services[code].name_en
        page.fill("#q", name)
        page.click(".service-filter button[type=submit]")
        page.wait_for_selector(f"#services a[href='{prefix}{code}/']")
    # By department: the Backward Classes' certificates, with no internal code on the page.
    page.fill("#q", "")
    page.select_option("#department", "BCW")
    page.click(".service-filter button[type=submit]")
    page.wait_for_selector(f"#services a[href='{prefix}caste_obc/']")
    text = page.inner_text("main")
    assert "caste_obc" not in text and "_" not in text
    page.shot("department")


@pytest.mark.parametrize("screen", VARIANTS, indirect=True)
def test_a_form_sent_after_the_session_ended_comes_back_after_login(screen: Any) -> None:
    page = screen
    at = counter(amount_paise=1_000_000)
    service, citizen = _electricity(), CitizenFactory()
    _log_in(page, at, f"/counter/citizens/{citizen.public_id}/apply/{service.code}/")
    _fill_bill(page, "2,345.50", consumer="556677889")
    cookies = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(cookies)  # the session ended while the form was open
    page.click("#submit-application")
    page.wait_for_selector("#id_username")
    page.shot("login-again")
    page.fill("#id_username", at.operator.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form.stack button[type=submit]")
    page.wait_for_selector("#apply-form")
    assert page.input_value("#f_bill_amount_paise") == "2,345.50"
    assert page.input_value("#f_consumer_id") == "556677889"
    assert page.locator(".messages li.warning").count() == 1
    page.shot("after-login")
    page.click("#submit-application")
    page.click("#confirm-payment")
    page.wait_for_url("**/acknowledgement/")
    assert Application.objects.get().fee_paise == 234_550


@pytest.mark.parametrize("screen", VARIANTS, indirect=True)
def test_the_browsers_echo_says_what_the_server_says(screen: Any) -> None:
    """amount.js is its own small implementation: for a spread of amounts, its words and
    figures are the server's (core.money), and it reads what the server reads."""
    page, lang = screen, screen.lang
    at = counter()
    service, citizen = _electricity(), CitizenFactory()
    _log_in(page, at, f"/counter/citizens/{citizen.public_id}/apply/{service.code}/")
    amounts = [1, 5, 99, 100, 1_000, 165_000, 165_050, 4_500_000, 165_000_000, 123_456_789_01]
    amounts += [10**12, 99_99_99_99_999, 10**15]
    got = page.evaluate(
        "amounts => amounts.map(p => [window.sahayataAmount.words(p),"
        " window.sahayataAmount.figures(p)])",
        amounts,
    )
    assert got == [[amount_in_words(p, lang=lang), format_inr(p, lang=lang)] for p in amounts]
    typed = ["1650", "1,650.00", "1,650.5", "১,৬৫০", "16,50,000", "Rs. 1650/-", "16.505", "-5", "0"]
    read = page.evaluate(
        "texts => texts.map(t => { const r = window.sahayataAmount.parse(t);"
        " return r.problem || r.paise; })",
        typed,
    )
    expected = []
    for text in typed:
        try:
            expected.append(parse_rupees(text))
        except AmountError as error:
            expected.append(error.code)
    assert read == expected
    assert expected[-3:] == ["too_many_decimals", "negative", "zero"]


@pytest.mark.parametrize("screen", VARIANTS, indirect=True)
def test_a_refused_form_puts_the_cursor_on_the_first_refused_field(screen: Any) -> None:
    """Sent back with problems, the form keeps what was typed, focuses the first field it
    refused, and ties each field to its message (aria-describedby), whatever its type."""
    page = screen
    at = counter(amount_paise=1_000_000)
    service, citizen = _electricity(), CitizenFactory(name_bn="রিনা দাস", name_en="Rina Das")
    _log_in(page, at, f"/counter/citizens/{citizen.public_id}/apply/{service.code}/")
    _fill_bill(page, "abc", consumer="12")
    page.click("#submit-application")
    page.wait_for_load_state()
    page.locator("#f_consumer_id-problem").wait_for()
    page.shot("refused")
    assert Application.objects.count() == 0
    assert page.input_value("#f_consumer_id") == "12"
    assert page.input_value("#f_bill_amount_paise") == "abc"
    assert page.evaluate("document.activeElement.id") == "f_consumer_id"
    for name in ("consumer_id", "bill_amount_paise"):
        field = page.locator(f"#f_{name}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"f_{name}-problem" in (field.get_attribute("aria-describedby") or "").split()
