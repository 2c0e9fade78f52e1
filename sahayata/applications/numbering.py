"""Application numbers: one per-(centre, financial year) counter, for every path.

The counter (one application) and the batch path (thousands of centres a simulated day)
take numbers through the same function. Each counter row is advanced by one ``UPDATE …
RETURNING`` (the same SQL on SQLite and PostgreSQL): the row stays locked until the
submitting transaction ends, and rolls back with it, so numbers are unique and gap-free.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import connection

from sahayata.applications.models import NumberCounter
from sahayata.applications.rules import application_number_format, financial_year_code

# Centres per statement: three parameters each, well below SQLite's bound.
_CHUNK = 2_000


def _advance(cursor: object, fy_code: str, counts: Mapping[int, int]) -> dict[int, int]:
    table = NumberCounter._meta.db_table
    centre_ids = sorted(counts)
    last: dict[int, int] = {}
    for start in range(0, len(centre_ids), _CHUNK):
        part = centre_ids[start : start + _CHUNK]
        cases = " ".join(["WHEN %s THEN %s"] * len(part))
        marks = ", ".join(["%s"] * len(part))
        params: list[object] = [v for c in part for v in (c, counts[c])]
        # Only the table name (model metadata) is interpolated; every value is bound.
        sql = (
            f"UPDATE {table} SET last_value = last_value + CASE centre_id {cases} END "  # noqa: S608
            f"WHERE financial_year = %s AND centre_id IN ({marks}) "
            "RETURNING centre_id, last_value"
        )
        cursor.execute(sql, [*params, fy_code, *part])  # type: ignore[attr-defined]
        last.update(cursor.fetchall())  # type: ignore[attr-defined]
    return last


def numbers_take(*, counts: Mapping[int, int], on: dt.date) -> dict[int, int]:
    """Advance the counter of each centre in ``counts`` by its count, for the financial
    year of ``on``. Returns each centre's last number taken: a centre given ``n`` has the
    sequence numbers ``last - n + 1`` to ``last``. Must run inside the caller's
    transaction."""
    if not counts:
        return {}
    if any(n < 1 for n in counts.values()):
        raise ValueError("every count must be at least 1")
    fy_code = financial_year_code(on)
    table = NumberCounter._meta.db_table
    with connection.cursor() as cursor:
        last = _advance(cursor, fy_code, counts)
        missing = sorted(set(counts) - set(last))
        if missing:
            # First numbers of the year: create the rows (a concurrent creator makes us
            # wait on the unique index, then our UPDATE finds its row), and advance them.
            for start in range(0, len(missing), _CHUNK):
                part = missing[start : start + _CHUNK]
                values = ", ".join(["(%s, %s, 0)"] * len(part))
                cursor.execute(
                    f"INSERT INTO {table} (centre_id, financial_year, last_value) "  # noqa: S608
                    f"VALUES {values} ON CONFLICT (centre_id, financial_year) DO NOTHING",
                    [v for c in part for v in (c, fy_code)],
                )
            last.update(_advance(cursor, fy_code, {c: counts[c] for c in missing}))
    return last


def application_number_next(*, centre_id: int, centre_code: str, on: dt.date) -> str:
    """The next number of one centre (the counter's path)."""
    last = numbers_take(counts={centre_id: 1}, on=on)[centre_id]
    return application_number_format(
        centre_code=centre_code, fy_code=financial_year_code(on), sequence=last
    )
