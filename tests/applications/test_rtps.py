"""RTPS: due dates skip Sundays and listed holidays; escalation flags overdue once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sahayata.applications.models import Holiday
from sahayata.applications.rules import add_working_days, financial_year_code, is_working_day
from sahayata.applications.selectors import rtps_report
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import free_service
from tests.factories.people import UserFactory


def test_due_date_skips_sundays_and_holidays() -> None:
    # Fri 26 Sep 2025 + 3 working days, with Durga Puja 27 Sep–4 Oct listed as holidays.
    puja = {dt.date(2025, 9, 26) + dt.timedelta(days=n) for n in range(1, 9)}
    assert add_working_days(dt.date(2025, 9, 26), 3, puja) == dt.date(2025, 10, 8)
    # Without holidays only the Sunday (28th) is skipped.
    assert add_working_days(dt.date(2025, 9, 26), 3, set()) == dt.date(2025, 9, 30)


@given(
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)),
    days=st.integers(min_value=0, max_value=60),
)
def test_due_date_is_exactly_n_working_days_later(start: dt.date, days: int) -> None:
    holidays = {start + dt.timedelta(days=n) for n in range(0, 90, 7)}
    due = add_working_days(start, days, holidays)
    between = [start + dt.timedelta(days=n) for n in range(1, (due - start).days + 1)]
    assert sum(is_working_day(day, holidays) for day in between) == days
    assert days == 0 or is_working_day(due, holidays)


def test_financial_year_code() -> None:
    assert financial_year_code(dt.date(2025, 4, 1)) == "2526"
    assert financial_year_code(dt.date(2026, 3, 31)) == "2526"
    assert financial_year_code(dt.date(2099, 12, 1)) == "9900"


@pytest.mark.django_db
def test_holidays_are_seeded() -> None:
    assert Holiday.objects.filter(date=dt.date(2025, 10, 1)).exists()  # Mahanavami
    assert Holiday.objects.filter(date__year=2026).count() >= 25


@pytest.mark.django_db
def test_overdue_escalation_across_a_holiday() -> None:
    at = counter()
    service = free_service(time_limit_days=2)
    # Submitted Friday 26 Sep 2025 (IST): 2 working days after Puja is Thu 9 Oct.
    submitted_at = timezone.make_aware(dt.datetime(2025, 9, 26, 11, 0))
    application = submitted(at=at, service=service, now=submitted_at)
    assert application.due_date == dt.date(2025, 10, 9)
    # On the due date nothing is overdue; the day after, it is flagged, exactly once.
    call_command("rtps_escalate", "--today", "2025-10-09", verbosity=0)
    application.refresh_from_db()
    assert application.escalated_at is None
    call_command("rtps_escalate", "--today", "2025-10-10", verbosity=0)
    call_command("rtps_escalate", "--today", "2025-10-11", verbosity=0)
    application.refresh_from_db()
    assert application.escalated_at is not None
    assert application.history.filter(action="escalate").count() == 1
    report = rtps_report(user=UserFactory(role="auditor"), today=dt.date(2025, 10, 10))
    line = next(line for line in report if line.department_id == service.department_id)
    assert (line.open_overdue, line.open_on_time) == (1, 0)
