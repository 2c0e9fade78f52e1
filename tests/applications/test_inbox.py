"""The officer's inbox: every application awaiting the department is reachable (pages,
search by number, name and mobile, filters), overdue first, with the figures /rtps/ shows;
and the verifier is not the approver on the page either."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client

from sahayata.applications.models import Application
from sahayata.applications.selectors import (
    QueueFilter,
    officer_queue,
    officer_queue_counts,
    rtps_report,
)
from sahayata.applications.services import application_act, local_today
from sahayata.applications.views.office import INBOX_PAGE_SIZE
from tests.conftest import backend_vendor
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.catalogue import free_service
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


def _many(count: int) -> tuple[object, list[Application], object]:
    at = counter()
    service = free_service(time_limit_days=30)
    applications = [submitted(at=at, service=service) for _ in range(count)]
    return service, applications, at


def test_every_application_is_reachable_page_by_page_overdue_first(client: Client) -> None:
    service, applications, _at = _many(INBOX_PAGE_SIZE + 7)
    today = local_today()
    # Three of them are overdue: they come first, the most overdue first.
    overdue = applications[-3:]
    for days, application in zip((3, 10, 1), overdue, strict=True):
        Application.objects.filter(pk=application.pk).update(
            due_date=today - dt.timedelta(days=days)
        )
    client.force_login(officer_of(service))  # type: ignore[arg-type]
    first = client.get("/inbox/").content.decode()
    second = client.get("/inbox/", {"page": 2}).content.decode()
    numbers = [a.number for a in applications]
    on_first = [n for n in numbers if n in first]
    on_second = [n for n in numbers if n in second]
    assert len(on_first) == INBOX_PAGE_SIZE and len(on_second) == 7
    assert set(on_first) | set(on_second) == set(numbers)
    order = [overdue[1].number, overdue[0].number, overdue[2].number]
    assert [first.index(n) for n in order] == sorted(first.index(n) for n in order)
    assert first.index(order[-1]) < min(first.index(n) for n in on_first if n not in order)
    assert 'rel="next"' in first and 'rel="prev"' in second
    # Bengali by default: counts and page numbers in Bengali digits.
    assert "৫৭টি আবেদন" in first and "পৃষ্ঠা ১ / ২" in first


def test_search_by_number_name_and_mobile_finds_todays_application(client: Client) -> None:
    service, applications, at = _many(3)
    citizen = CitizenFactory(name_en="Kakali Bose", name_bn="কাকলি বসু", mobile="9830055555")
    today_one = submitted(at=at, service=service, citizen=citizen)  # type: ignore[arg-type]
    officer = officer_of(service)  # type: ignore[arg-type]
    client.force_login(officer)
    for query in (today_one.number, today_one.number[-6:], "কাকলি", "kakali", "9830055555",
                  "98300 55555", "৯৮৩০০৫৫৫৫৫", "5555"):  # fmt: skip
        page = client.get("/inbox/", {"q": query}).content.decode()
        assert today_one.number in page, query
        assert all(a.number not in page for a in applications), query
    none = client.get("/inbox/", {"q": "nobody-like-this"}).content.decode()
    assert "কোনো আবেদন মেলেনি" in none


def test_filters_by_service_state_and_due_date() -> None:
    at = counter()
    certificate = certificate_service(time_limit_days=15)
    scheme = free_service(time_limit_days=30, department=certificate.department)
    verified = submitted(at=at, service=certificate)
    unverified = submitted(at=at, service=certificate)
    waiting = submitted(at=at, service=scheme)
    due_today = submitted(at=at, service=scheme)
    officer = officer_of(certificate)
    application_act(application=verified, action="verify", actor=officer)
    today = local_today()
    Application.objects.filter(pk=due_today.pk).update(due_date=today)
    Application.objects.filter(pk=waiting.pk).update(due_date=today - dt.timedelta(days=1))

    def numbers(**chosen: str) -> set[str]:
        queue = officer_queue(officer=officer, today=today, chosen=QueueFilter(**chosen))
        return {a.number for a in queue}

    assert numbers(service_code=scheme.code) == {waiting.number, due_today.number}
    assert numbers(state="pending_verification") == {unverified.number}
    assert numbers(state="pending_approval", service_code=certificate.code) == {verified.number}
    assert numbers(due="overdue") == {waiting.number}
    assert numbers(due="today") == {due_today.number}
    assert numbers(due="week") == {due_today.number}
    assert numbers() == {verified.number, unverified.number, waiting.number, due_today.number}


def test_the_inbox_counts_agree_with_the_rtps_report(client: Client) -> None:
    at = counter()
    service = certificate_service(time_limit_days=15)
    officer = officer_of(service)
    mine = [submitted(at=at, service=service) for _ in range(3)]
    returned = submitted(at=at, service=service)
    application_act(application=returned, action="return", actor=officer, comment="blurred")
    today = local_today()
    Application.objects.filter(pk__in=[mine[0].pk, returned.pk]).update(
        due_date=today - dt.timedelta(days=2)
    )
    counts = officer_queue_counts(officer=officer, today=today)
    (line,) = rtps_report(user=officer, today=today)
    assert (counts.awaiting, counts.awaiting_overdue) == (3, 1)
    assert counts.department_open_overdue == line.open_overdue == 2
    assert counts.overdue_elsewhere == 1
    client.force_login(officer)
    page = client.get("/inbox/").content.decode()
    assert 'data-testid="department-overdue">২<' in page
    assert 'data-testid="awaiting">৩<' in page


def test_the_verifier_is_offered_no_approval_and_a_forced_one_is_refused(
    client: Client,
) -> None:
    at = counter()
    service = certificate_service()
    application = submitted(at=at, service=service)
    verifier, approver = officer_of(service), officer_of(service)
    client.force_login(verifier)
    client.post(f"/applications/{application.number}/", {"action": "verify"})
    page = client.get(f"/applications/{application.number}/").content.decode()
    assert 'value="approve"' not in page and 'id="second-officer"' in page
    refused = client.post(
        f"/applications/{application.number}/", {"action": "approve"}, follow=True
    ).content.decode()
    assert "অন্য একজন অফিসার" in refused
    application.refresh_from_db()
    assert application.status == "pending_approval"
    client.cookies["django_language"] = "en"
    refused_en = client.post(
        f"/applications/{application.number}/", {"action": "approve"}, follow=True
    ).content.decode()
    assert "another officer of the department must approve it" in refused_en
    client.force_login(approver)
    assert 'value="approve"' in client.get(f"/applications/{application.number}/").content.decode()


def test_the_default_inbox_query_walks_the_department_index() -> None:
    """The plan of the default page on this backend: the (department, is_open, due_date)
    index, no full scan of applications and no sort of the whole department."""
    service, _applications, _at = _many(3)
    officer = officer_of(service)  # type: ignore[arg-type]
    queue = officer_queue(officer=officer, today=local_today(), chosen=QueueFilter())
    sql, params = queue[:INBOX_PAGE_SIZE].query.sql_with_params()
    with connection.cursor() as cursor:
        if backend_vendor() == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX application_departm" in plan and "is_open=?" in plan, plan
            assert "SCAN applications_application" not in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")  # a tiny test table; ask what it can use
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " | ".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            assert "application_departm" in plan, plan


def test_newest_received_first_puts_todays_arrivals_on_the_first_page(client: Client) -> None:
    """With a backlog of overdue work, today's new applications are on the last page by
    default; "newest received first" brings them to the top, and the choice is kept."""
    service, applications, _at = _many(INBOX_PAGE_SIZE + 5)
    today = local_today()
    backlog, todays = applications[:-3], applications[-3:]
    for n, application in enumerate(backlog):
        Application.objects.filter(pk=application.pk).update(
            due_date=today - dt.timedelta(days=40 - n % 30),
            submitted_at=application.submitted_at - dt.timedelta(days=60),
        )
    client.force_login(officer_of(service))  # type: ignore[arg-type]
    default = client.get("/inbox/").content.decode()
    assert all(a.number not in default for a in todays)  # the backlog fills page 1
    newest = client.get("/inbox/", {"sort": "newest"}).content.decode()
    order = [newest.index(a.number) for a in reversed(todays)]
    assert order == sorted(order) and order[-1] < min(
        newest.index(a.number) for a in backlog if a.number in newest
    )
    assert '<option value="newest" selected>' in newest and "সবচেয়ে নতুন গৃহীত আগে" in newest
    assert "sort=newest" in newest  # the next page keeps the order
