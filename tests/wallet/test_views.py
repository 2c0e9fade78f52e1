"""The wallet pages: operator's wallet and statement, finance's top-up queue (bilingual)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sahayata.core.ids import uuid7
from sahayata.wallet.models import AccountKind, TopUp
from sahayata.wallet.services import TransferSpec, system_account, transfers_create
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory
from tests.factories.wallet import TopUpFactory, funded_wallet

pytestmark = pytest.mark.django_db


def logged_in(client: Client, user: Any, language: str = "en") -> Client:
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_operator_sees_balance_held_available(client: Client) -> None:
    centre = CentreFactory()
    wallet = funded_wallet(centre=centre, amount_paise=1_234_567_89)
    treasury = system_account(kind=AccountKind.TREASURY)
    transfers_create(
        specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, 10_000, "service_fee", "A", True)]
    )
    page = logged_in(client, UserFactory(role="operator", centre=centre)).get("/wallet/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "₹12,34,567.89" in html
    assert "₹100.00" in html
    assert "₹12,34,467.89" in html
    bengali = logged_in(client, UserFactory(role="operator", centre=centre), "bn").get("/wallet/")
    assert "₹১২,৩৪,৫৬৭.৮৯" in bengali.content.decode()
    assert "ব্যবহারযোগ্য" in bengali.content.decode()


def test_operator_requests_a_topup_in_rupees(client: Client) -> None:
    centre = CentreFactory()
    operator = UserFactory(role="operator", centre=centre)
    browser = logged_in(client, operator)
    response = browser.post("/wallet/", {"amount": "2,500.50", "bank_reference": "UTR99887766"})
    assert response.status_code == 302
    topup = TopUp.objects.get()
    assert (topup.amount_paise, topup.centre, topup.requested_by) == (250_050, centre, operator)
    again = browser.post("/wallet/", {"amount": "10", "bank_reference": "UTR99887766"})
    assert again.status_code == 200
    assert "already used" in again.content.decode()
    for bad in ("0", "-5", "abc", "1.234"):
        response = browser.post("/wallet/", {"amount": bad, "bank_reference": "UTR12121212"})
        assert response.status_code == 200
    assert TopUp.objects.count() == 1
    # The request is listed day first, as dates are written in India (not 11/29/2026).
    local = timezone.localtime(topup.requested_at)
    assert local.strftime("%d-%m-%Y %H:%M") in browser.get("/wallet/").content.decode()


def test_statement_page_and_csv(client: Client) -> None:
    centre = CentreFactory()
    funded_wallet(centre=centre, amount_paise=50_000)
    browser = logged_in(client, UserFactory(role="operator", centre=centre))
    page = browser.get("/wallet/statement/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Daily closing balance" in html
    assert "₹500.00" in html
    csv = browser.get("/wallet/statement/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "50000" in csv.content.decode()
    bad = browser.get("/wallet/statement/?date_from=2025-02-01&date_to=2025-01-01")
    assert bad.status_code == 422
    assert "after the end date" in bad.content.decode()


def test_another_centre_is_not_found_and_other_roles_are_refused(client: Client) -> None:
    centre = CentreFactory()
    browser = logged_in(client, UserFactory(role="operator"))
    assert browser.get(f"/wallet/?centre={centre.code}").status_code == 404
    officer = logged_in(Client(), UserFactory(role="officer"))
    assert officer.get("/wallet/").status_code == 403
    assert Client().get("/wallet/").status_code == 302  # to the login page


def test_finance_approves_and_rejects_with_maker_checker(client: Client) -> None:
    finance = UserFactory(role="finance")
    first, second = TopUpFactory(), TopUpFactory()
    own = TopUpFactory(requested_by=finance)
    browser = logged_in(client, finance)
    queue = browser.get("/wallet/topups/")
    assert queue.status_code == 200
    assert first.bank_reference in queue.content.decode()
    browser.post(f"/wallet/topups/{first.id}/approve/")
    browser.post(f"/wallet/topups/{second.id}/reject/", {"reason": "not received"})
    response = browser.post(f"/wallet/topups/{own.id}/approve/", follow=True)
    assert "may not approve" in response.content.decode()
    statuses = {t.pk: t.status for t in TopUp.objects.all()}
    assert statuses == {first.pk: "credited", second.pk: "rejected", own.pk: "requested"}
    operator = logged_in(Client(), first.requested_by)
    # Not finance: refused (403), not sent back to a queue it cannot read.
    assert operator.post(f"/wallet/topups/{own.id}/approve/").status_code == 403
    assert TopUp.objects.get(pk=own.pk).status == "requested"
    assert operator.get("/wallet/topups/").status_code == 403


def test_the_topup_form_reads_amounts_like_the_counter(client: Client) -> None:
    """One parser for every amount field: Bengali digits and Indian grouping, and the
    counter's messages for what it refuses."""
    operator = UserFactory(role="operator", centre=CentreFactory())
    browser = logged_in(client, operator)
    browser.cookies["django_language"] = "en"
    browser.post("/wallet/", {"amount": "১,৬৫০", "bank_reference": "UTR11112222"})
    browser.post("/wallet/", {"amount": "16,50,000", "bank_reference": "UTR33334444"})
    assert sorted(TopUp.objects.values_list("amount_paise", flat=True)) == [165_000, 165_000_000]
    refused = browser.post("/wallet/", {"amount": "1.234", "bank_reference": "UTR55556666"})
    page = refused.content.decode()
    assert "Enter at most two digits of paise after the point." in page and "amount-config" in page
    assert 'value="1.234"' in page


def test_a_top_ups_log_salt_goes_to_its_centre_only(client: Client) -> None:
    """The transparency log's salt of a top-up is shown to the centre's own staff, and to
    nobody else who may read the wallet."""
    from sahayata.people.models import Role
    from sahayata.wallet.services import topup_request

    centre = CentreFactory()
    operator = UserFactory(role=Role.OPERATOR, centre=centre)
    topup = topup_request(
        centre=centre, amount_paise=500_000, bank_reference="UTR-SALT-0001", requested_by=operator
    )
    salt = TopUp.objects.get(pk=topup.pk).log_salt
    assert len(salt) == 32
    client.force_login(operator)
    assert salt in client.get("/wallet/").content.decode()
    finance = UserFactory(role=Role.FINANCE)
    client.force_login(finance)
    page = client.get(f"/wallet/?centre={centre.code}")
    assert page.status_code == 200 and salt not in page.content.decode()
