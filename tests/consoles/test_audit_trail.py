"""The auditor's audit trail: browse, filter by date, actor, action and object, page, and
export as streamed CSV; in the page's language; other roles are refused."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from sahayata.audit.models import AuditEvent
from sahayata.people.models import Role
from sahayata.wallet.services import topup_approve, topup_request
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory

pytestmark = pytest.mark.django_db


def _logged_in(client: Client, role: str) -> Client:
    user = UserFactory(role=role)
    client.force_login(user)
    return client


@pytest.fixture
def trail() -> dict[str, object]:
    """Two top-ups (requested, one approved) and 60 older holiday events for paging."""
    centre = CentreFactory(code="KOL0042")
    operator = UserFactory(role=Role.OPERATOR, centre=centre, username="op-kol0042-1")
    finance = UserFactory(role=Role.FINANCE, username="finance-a")
    first = topup_request(
        centre=centre, amount_paise=1_000, bank_reference="UTRA1", requested_by=operator
    )
    topup_request(centre=centre, amount_paise=2_000, bank_reference="UTRA2", requested_by=operator)
    topup_approve(topup_id=first.pk, approved_by=finance)
    from django.db import transaction

    from sahayata.audit.services import EventSpec, events_record_batch

    old = timezone.make_aware(dt.datetime(2025, 3, 10, 12, 0))
    with transaction.atomic():
        events_record_batch(
            events=[EventSpec("holiday.admin_add", "holiday", n, at=old) for n in range(60)]
        )
    return {"first": first, "operator": operator, "finance": finance}


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.OFFICER, Role.FINANCE, Role.DISTRICT])
def test_other_roles_are_refused(client: Client, role: str) -> None:
    _logged_in(client, role)
    assert client.get("/audit/trail/").status_code == 403
    assert client.get("/audit/trail.csv").status_code == 403


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    response = client.get("/audit/trail/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_auditor_pages_newest_first_in_bengali(client: Client, trail: dict) -> None:
    _logged_in(client, Role.AUDITOR)
    page = client.get("/audit/trail/").content.decode()
    assert "৬৩টি ঘটনা" in page  # 63 events, counted in Bengali digits
    assert "পৃষ্ঠা ১ / ২" in page
    assert page.index("topup.approve") < page.index("topup.request")
    second = client.get("/audit/trail/", {"page": 2}).content.decode()
    assert "১০-০৩-২০২৫" in second  # the old events' date, in Bengali digits
    client.cookies["django_language"] = "en"
    english = client.get("/audit/trail/").content.decode()
    assert "63 events" in english


def test_filters_by_actor_action_object_and_dates(client: Client, trail: dict) -> None:
    _logged_in(client, Role.AUDITOR)

    def count(**query: str) -> int:
        response = client.get("/audit/trail/", {**query})
        assert response.status_code == 200
        return int(response.context["events_page"].paginator.count)

    assert count(actor="finance-a") == 1
    assert count(actor=str(trail["operator"].pk)) == 2
    assert count(action="topup") == 3
    assert count(action="topup.approve") == 1
    assert count(object_type="topup", object_id=str(trail["first"].pk)) == 2
    assert count(date_from="2025-03-10", date_to="2025-03-10") == 60
    assert count(date_to="2025-03-09") == 0
    today = timezone.localdate().isoformat()
    assert count(date_from=today) == 3
    response = client.get("/audit/trail/", {"date_from": "not a date"})
    assert response.status_code == 200
    assert response.context["events_page"] is not None
    assert response.context["events_page"].paginator.count == 0


def test_csv_export_is_streamed_and_filtered(client: Client, trail: dict) -> None:
    _logged_in(client, Role.AUDITOR)
    response = client.get("/audit/trail.csv", {"action": "topup"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["topup.approve", "topup.request", "topup.request"]
    assert rows[0]["actor_username"] == "finance-a"
    assert rows[0]["at"].endswith("+05:30")
    assert '"status":"credited"' in rows[0]["after"]


def test_csv_cells_never_start_a_formula(client: Client) -> None:
    from django.db import transaction

    from sahayata.audit.services import event_record

    with transaction.atomic():
        event_record(action="citizen.register", object_type="citizen", object_id="=HYPERLINK(1)")
    _logged_in(client, Role.AUDITOR)
    response = client.get("/audit/trail.csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_a_sealed_event_shows_its_seal_number(client: Client, trail: dict) -> None:
    from sahayata.audit.services import audit_seal

    audit_seal()
    _logged_in(client, Role.AUDITOR)
    response = client.get("/audit/trail/", {"action": "topup.approve"})
    event = response.context["events_page"].object_list[0]
    assert event.seal_seq == AuditEvent.objects.get(action="topup.approve").seal_seq
    assert event.seal_seq is not None
