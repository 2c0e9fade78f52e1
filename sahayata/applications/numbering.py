"""Application numbers: one per-(centre, financial year) counter, for every path.

The counter (one application) and the batch path (thousands of centres a simulated day)
take numbers through the same function. Each counter row is advanced by one ``UPDATE …
RETURNING`` (the same SQL on SQLite and PostgreSQL): the row stays locked until the
submitting transaction ends, and rolls back with it, so numbers are unique and gap-free.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sahayata.applications.models import NumberCounter
from sahayata.applications.rules import application_number_format, financial_year_code
from sahayata.core import dialect


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
    year = {"financial_year": fy_code}
    last = dialect.counters_take(
        NumberCounter, "last_value", key="centre_id", amounts=counts, equal=year
    )
    missing = sorted(set(counts) - set(last))
    if missing:
        # First numbers of the year: create the rows (a concurrent creator makes us wait
        # on the unique index, then our UPDATE finds its row), and advance them.
        dialect.rows_insert_missing(
            NumberCounter,
            ("centre_id", "financial_year", "last_value"),
            [(c, fy_code, 0) for c in missing],
        )
        last.update(
            dialect.counters_take(
                NumberCounter,
                "last_value",
                key="centre_id",
                amounts={c: counts[c] for c in missing},
                equal=year,
            )
        )
    return last


def application_number_next(*, centre_id: int, centre_code: str, on: dt.date) -> str:
    """The next number of one centre (the counter's path)."""
    last = numbers_take(counts={centre_id: 1}, on=on)[centre_id]
    return application_number_format(
        centre_code=centre_code, fy_code=financial_year_code(on), sequence=last
    )
