"""Bulk writes for the batch paths (the network simulator writes millions of rows).

Rows are plain tuples, written on the driver's own cursor inside Django's transaction:
``executemany`` of one prepared INSERT on SQLite, ``COPY … FROM STDIN`` on PostgreSQL.
Django's cursor wrapper is skipped on purpose: it rewrites every SQLite statement for the
``?`` style and, with DEBUG on, keeps the SQL of every query. Values must already be in the
database's form: use ``connection.ops.adapt_datetimefield_value`` (and ``…datefield…``)
for times and dates, ``json.dumps`` for JSON. Only identifiers from model metadata are
interpolated into SQL, never values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def _db() -> Any:
    return connections[DEFAULT_DB_ALIAS]


def dbapi_cursor() -> Any:
    """The driver's cursor on Django's connection (same transaction)."""
    db = _db()
    db.ensure_connection()
    return db.connection.cursor()


def _sql(text: str) -> str:
    """``text`` written with ``%s`` placeholders, in the driver's own style."""
    return text.replace("%s", "?") if _db().vendor == "sqlite" else text


def ids_reserve(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, to insert rows with explicit ids.

    PostgreSQL takes them from the table's own sequence (safe under concurrency). On
    SQLite the caller's transaction holds the database's write lock (``BEGIN IMMEDIATE``),
    so the next ids after the highest ever used (AUTOINCREMENT's ``sqlite_sequence``, or
    the highest row) are ours until it commits.
    """
    if count <= 0:
        return []
    db = _db()
    table = model._meta.db_table
    pk = model._meta.pk.column
    cursor = dbapi_cursor()
    if db.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, count],
        )
        return [row[0] for row in cursor.fetchall()]
    if not db.in_atomic_block:
        raise RuntimeError("ids_reserve needs the caller's transaction on SQLite")
    cursor.execute(f"SELECT coalesce(max({pk}), 0) FROM {table}")  # noqa: S608
    highest = cursor.fetchone()[0]
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [table])
    row = cursor.fetchone()
    first = max(highest, row[0] if row else 0) + 1
    return list(range(first, first + count))


def rows_insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the count."""
    db = _db()
    table = model._meta.db_table
    names = ", ".join(columns)
    cursor = dbapi_cursor()
    if db.vendor == "postgresql":
        count = 0
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join(["?"] * len(columns))
    rows = rows if isinstance(rows, list) else list(rows)
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


def rows_update(
    model: type[Model], ids: Sequence[int], values: dict[str, Any], chunk: int = 10_000
) -> int:
    """``UPDATE`` the same ``values`` (column → adapted value) on the rows ``ids``."""
    if not ids:
        return 0
    db = _db()
    table = model._meta.db_table
    pk = model._meta.pk.column
    sets = ", ".join(f"{column} = %s" for column in values)
    cursor = dbapi_cursor()
    count = 0
    if db.vendor == "postgresql":
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE {pk} = ANY(%s)",  # noqa: S608
            [*values.values(), list(ids)],
        )
        return int(cursor.rowcount)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        marks = ", ".join(["?"] * len(part))
        cursor.execute(
            _sql(f"UPDATE {table} SET {sets} WHERE {pk} IN ({marks})"),  # noqa: S608
            [*values.values(), *part],
        )
        count += cursor.rowcount
    return count
