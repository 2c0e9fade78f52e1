"""Each role's console: the landing after login, the district nodal officer's district
(and nothing of another district), the auditor's read-only search and checks, finance's
history of decisions; wallets by ``?centre=`` only where the policy allows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from sahayata.applications.models import Application
from sahayata.applications.selectors import rtps_report
from sahayata.applications.services import local_today
from sahayata.people.models import Role
from sahayata.transparency.services import rollups_apply_all
from sahayata.wallet.models import TopUp
from sahayata.wallet.services import topup_approve, topup_reject
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import free_service
from tests.factories.people import TEST_PASSWORD, CitizenFactory, UserFactory, totp_code
from tests.factories.places import BlockFactory, CentreFactory, DistrictFactory
from tests.factories.wallet import TopUpFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.OPERATOR, "/counter/"),
        (Role.SUPERVISOR, "/counter/"),
        (Role.OFFICER, "/inbox/"),
        (Role.FINANCE, "/wallet/topups/"),
        (Role.DISTRICT, "/district/"),
        (Role.AUDITOR, "/audit/"),
        (Role.ADMIN, "/admin/"),
    ],
)
def test_each_role_lands_on_its_console_after_login(
    client: Client, role: str, landing: str
) -> None:
    user = UserFactory(role=role)
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    step = client.get(response["Location"])
    if role in (Role.FINANCE, Role.ADMIN):
        # The second factor first (tests/people/test_twofactor.py): enrol, then the console.
        assert step.url.startswith("/accounts/two-factor/enrol/")  # type: ignore[attr-defined]
        client.get(step.url)  # type: ignore[attr-defined]
        code = totp_code(TOTPDevice.objects.get(user=user))
        assert client.post(step.url, {"code": code}).status_code == 200  # type: ignore[attr-defined]
        step = client.get(response["Location"])
    assert step.url == landing  # type: ignore[attr-defined]


def _two_districts() -> tuple[object, object, object, object]:
    home, away = DistrictFactory(), DistrictFactory()
    here = counter(centre=CentreFactory(block=BlockFactory(district=home)))
    there = counter(centre=CentreFactory(block=BlockFactory(district=away)))
    return home, away, here, there


def test_the_district_console_shows_only_its_district(client: Client) -> None:
    home, _away, here, there = _two_districts()
    service = free_service()
    citizen = CitizenFactory(name_en="Rina Tudu", mobile="8017056789")
    mine = submitted(at=here, service=service, citizen=citizen)  # type: ignore[arg-type]
    theirs = submitted(at=there, service=service, citizen=citizen)  # type: ignore[arg-type]
    Application.objects.filter(pk__in=[mine.pk, theirs.pk]).update(
        due_date=local_today() - dt.timedelta(days=1)
    )
    nodal = UserFactory(role=Role.DISTRICT, district=home)
    client.force_login(nodal)
    page = client.get("/district/").content.decode()
    assert here.centre.code in page and there.centre.code not in page  # type: ignore[attr-defined]
    assert 'data-testid="district-overdue">১<' in page
    found = client.get("/district/", {"q": "8017056789"}).content.decode()
    assert mine.number in found and theirs.number not in found
    # RTPS at /rtps/ is the district's, not the state's.
    (line,) = rtps_report(user=nodal, today=local_today())  # type: ignore[attr-defined]
    assert line.open_overdue == 1
    rtps = client.get("/rtps/").content.decode()
    assert home.name_bn in rtps  # type: ignore[attr-defined]
    assert "১</span>" in rtps and "২</span>" not in rtps
    # The wallets: its own district's by ?centre=, another district's is "not found".
    own = client.get("/wallet/", {"centre": here.centre.code})  # type: ignore[attr-defined]
    assert own.status_code == 200
    assert client.get("/wallet/", {"centre": there.centre.code}).status_code == 404  # type: ignore[attr-defined]
    assert client.get("/wallet/statement/", {"centre": there.centre.code}).status_code == 404  # type: ignore[attr-defined]
    assert client.get("/audit/").status_code == 403


def test_operators_and_officers_reach_no_other_wallet_by_typing_centre(client: Client) -> None:
    _home, _away, here, there = _two_districts()
    client.force_login(here.operator)  # type: ignore[attr-defined]
    assert client.get("/wallet/", {"centre": there.centre.code}).status_code == 404  # type: ignore[attr-defined]
    client.force_login(UserFactory(role=Role.OFFICER))
    assert client.get("/wallet/", {"centre": there.centre.code}).status_code in (403, 404)  # type: ignore[attr-defined]
    assert client.get("/district/").status_code == 403


def test_the_auditor_searches_centres_and_applications_and_changes_nothing(
    client: Client,
) -> None:
    _home, _away, here, there = _two_districts()
    application = submitted(at=there, service=free_service())  # type: ignore[arg-type]
    auditor = UserFactory(role=Role.AUDITOR)
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert 'id="read-only"' in page
    found = client.get("/audit/", {"q": application.number}).content.decode()
    assert application.number in found
    centres = client.get("/audit/", {"q": here.centre.code}).content.decode()  # type: ignore[attr-defined]
    assert f'data-centre="{here.centre.code}"' in centres  # type: ignore[attr-defined]
    # The application page offers no action; an action posted anyway is refused.
    detail = client.get(f"/applications/{application.number}/").content.decode()
    assert 'name="action"' not in detail
    client.post(f"/applications/{application.number}/", {"action": "approve"})
    application.refresh_from_db()
    assert application.status == "pending_approval"
    # Finance's queue is readable, not decidable.
    topup = TopUpFactory(centre=here.centre)  # type: ignore[attr-defined]
    queue = client.get("/wallet/topups/").content.decode()
    assert topup.bank_reference in queue and "wallet/topups/" + str(topup.pk) not in queue
    client.post(f"/wallet/topups/{topup.pk}/approve/")
    assert TopUp.objects.get(pk=topup.pk).status == "requested"


def test_the_auditor_runs_the_checks_which_only_read(client: Client) -> None:
    at = counter()
    submitted(at=at, service=free_service())
    rollups_apply_all()  # as run_jobs does every few seconds
    client.force_login(UserFactory(role=Role.AUDITOR))
    assert "এই সেশনে এখনও চালানো হয়নি" in client.get("/audit/").content.decode()
    response = client.post("/audit/checks/", follow=True)
    page = response.content.decode()
    assert 'data-testid="ledger-status">সব অপরিবর্তনীয় শর্ত বজায় আছে<' in page
    assert 'data-testid="transparency-status">খতিয়ান ও আবেদনের সঙ্গে মিলছে<' in page
    assert client.get("/audit/checks/").status_code == 405


def test_finance_sees_the_history_of_decisions_with_the_reason(client: Client) -> None:
    finance, checker = UserFactory(role=Role.FINANCE), UserFactory(role=Role.FINANCE)
    credited, rejected, pending = TopUpFactory(), TopUpFactory(), TopUpFactory()
    topup_approve(topup_id=credited.pk, approved_by=checker)
    topup_reject(topup_id=rejected.pk, rejected_by=checker, reason="No such credit at the bank")
    client.force_login(finance)
    client.cookies["django_language"] = "en"
    empty = client.post(f"/wallet/topups/{pending.pk}/reject/", {"reason": "  "}, follow=True)
    assert "Give the reason for rejecting this top-up" in empty.content.decode()
    assert TopUp.objects.get(pk=pending.pk).status == "requested"
    page = client.get("/wallet/topups/").content.decode()
    history = page[page.index('id="topup-history"') :]
    assert credited.bank_reference in history and rejected.bank_reference in history
    assert "No such credit at the bank" in history
    assert pending.bank_reference not in history
    assert history.index(rejected.bank_reference) < history.index(credited.bank_reference)
