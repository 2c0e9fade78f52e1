"""The one clock: ``core.clock.IST`` is the zone Django runs in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from sahayata.core.clock import IST


def test_ist_is_djangos_time_zone_and_five_and_a_half_hours_ahead() -> None:
    assert str(IST) == settings.TIME_ZONE
    assert timezone.get_default_timezone() == IST
    moment = dt.datetime(2025, 3, 31, 18, 30, tzinfo=dt.UTC)
    assert moment.astimezone(IST).utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert moment.astimezone(IST).date() == dt.date(2025, 4, 1)  # a new financial year
