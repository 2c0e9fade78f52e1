"""The bulk writers' datetime adapter (``dialect.datetime_adapter``) writes what Django's
own adaptation writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from sahayata.core.clock import IST
from sahayata.core.dialect import datetime_adapter


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2025, 3, 1, 9, 30, tzinfo=IST),
        dt.datetime(2025, 3, 31, 23, 59, 59, 999_999, tzinfo=IST),
        dt.datetime(2021, 11, 1, 0, 0, 0, 7, tzinfo=dt.UTC),
    ],
)
def test_same_value_as_django(value: dt.datetime) -> None:
    assert datetime_adapter(connection)(value) == connection.ops.adapt_datetimefield_value(value)
