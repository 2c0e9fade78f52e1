"""Sahayata's clock: every day, due date, statement and rollup is a day in Asia/Kolkata.

``settings.TIME_ZONE`` is the same zone (a test says so); code that needs the zone itself,
not Django's current one, takes ``IST`` from here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
