"""Everything that differs between SQLite and PostgreSQL: the one place that asks which
database it is on. Domain code calls these named helpers and never branches on the vendor.

The bulk helpers write on the driver's own cursor inside Django's transaction: COPY or
``unnest`` arrays on PostgreSQL, ``executemany`` or multi-row statements on SQLite.
Django's cursor wrapper is skipped on purpose: it rewrites every SQLite statement for the
``?`` style and, with DEBUG on, keeps the SQL of every query. Values must already be in
the database's form (``connection.ops.adapt_datetimefield_value`` for times, ``.hex`` of a
UUID on SQLite, ``json.dumps`` for JSON): see ``uuid_value``.

SQL safety, for every ``noqa: S608`` below: only identifiers from model ``_meta`` (tables,
columns, column types) and ``?``/``%s`` placeholders are interpolated; every value is bound
as a parameter. Statements are built once per shape and cached.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model

# Rows per multi-row SQLite statement. An upsert row of 12 columns: 24,000 parameters, under
# the 32,766 SQLite allows since 3.32 (measured: 2,000 rows a statement beat 400 by a quarter).
SQLITE_UPSERT_ROWS = 2_000
SQLITE_INSERT_ROWS = 500  # the wallet's 13 columns: 6,500 parameters a statement
SQLITE_IN_IDS = 10_000  # ids per ``IN (…)`` list


class RowExists(Exception):
    """``rows_insert_new`` met a row whose key exists already. The caller's transaction (or
    savepoint) must be rolled back: on PostgreSQL it is aborted, on SQLite rows may be
    half written."""


def _db() -> Any:
    return connections[DEFAULT_DB_ALIAS]


def _pg(db: Any) -> bool:
    return bool(db.vendor == "postgresql")


@contextmanager
def _cursor(db: Any) -> Iterator[Any]:
    """The driver's cursor, closed on exit. A driver error leaving the block becomes
    Django's (``OperationalError`` and so on, the driver's as its ``__cause__``), as it
    would through Django's own cursor: a deadlock never escapes as a psycopg error."""
    if db.connection is None:
        db.ensure_connection()
    with closing(db.connection.cursor()) as cursor, db.wrap_database_errors:
        yield cursor


def _prepared_cursor(db: Any) -> Any:
    """PostgreSQL: a server-binding cursor (Django's own binds on the client and never
    prepares), closed on exit; a function of its own so that a count of the statements
    sent (bench submission, tests/applications/test_request_cost.py) sees these too."""
    import psycopg  # only on PostgreSQL

    return psycopg.Cursor(db.connection)


def dbapi_cursor() -> AbstractContextManager[Any]:
    """The driver's cursor on Django's connection (same transaction), closed on exit:
    ``with dbapi_cursor() as cursor``."""
    return _cursor(_db())


# SQLSTATEs of a transaction that lost a race and may simply be run again: PostgreSQL's
# serialization_failure and deadlock_detected.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_contention(error: BaseException) -> bool:
    """Did ``error`` (a Django database error) abort a transaction only because another
    one held the locks it needed (PostgreSQL: deadlock, serialization failure; SQLite:
    the database stayed locked past the busy timeout)? Then running it again is safe."""
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    return type(cause).__name__ == "OperationalError" and "database is locked" in str(cause)


def uuid_value(value: uuid.UUID | None) -> Any:
    """A UUID in the database's form: native on PostgreSQL, 32 hex digits on SQLite."""
    if value is None or _db().features.has_native_uuid_field:
        return value
    return value.hex


def datetime_adapter(db: Any) -> Callable[[datetime], object]:
    """``db.ops.adapt_datetimefield_value`` for aware datetimes made in Python; on SQLite
    (text in the connection's time zone) without its per-call checks, which cost a bulk
    writer more than the write."""
    if db.vendor != "sqlite" or not settings.USE_TZ:
        return db.ops.adapt_datetimefield_value
    zone = db.timezone
    fallback = db.ops.adapt_datetimefield_value

    def adapt(value: datetime) -> object:
        if value.tzinfo is None:
            return fallback(value)
        # timezone.make_naive(value, zone), then str(): what Django's SQLite backend does.
        return str(value.astimezone(zone).replace(tzinfo=None))

    return adapt


def uuid_values(values: Iterable[uuid.UUID]) -> list[Any]:
    """``uuid_value`` of each of ``values``."""
    if _db().features.has_native_uuid_field:
        return list(values)
    return [value.hex for value in values]


def _table(model: type[Model]) -> str:
    return str(model._meta.db_table)


def _pk(model: type[Model]) -> str:
    pk = model._meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    return str(pk.column)


def _types(model: type[Model], columns: Sequence[str]) -> list[str]:
    """PostgreSQL array types for ``columns`` (for ``unnest``)."""
    return list(_array_types(model, tuple(columns)))


@lru_cache(maxsize=128)
def _array_types(model: type[Model], columns: tuple[str, ...]) -> tuple[str, ...]:
    db = _db()
    types = {f.column: f.db_type(db) for f in model._meta.concrete_fields}
    return tuple(f"{types[c]}[]" for c in columns)


def _marks(db: Any, count: int) -> str:
    mark = "%s" if _pg(db) else "?"
    return ", ".join([mark] * count)


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows turned into one list per column (``unnest``'s arrays)."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


# --- ids -----------------------------------------------------------------------------------


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
    table, pk = _table(model), _pk(model)
    with _cursor(db) as cursor:
        if _pg(db):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if not db.in_atomic_block:
            raise RuntimeError("ids_reserve needs the caller's transaction on SQLite")
        cursor.execute(f"SELECT coalesce(max({pk}), 0) FROM {table}")  # noqa: S608 - _meta names
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [table])
        row = cursor.fetchone()
    first = max(highest, row[0] if row else 0) + 1
    return list(range(first, first + count))


# --- inserts -------------------------------------------------------------------------------


def rows_insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the count.
    ``COPY … FROM STDIN`` on PostgreSQL, one prepared INSERT run by ``executemany`` on SQLite."""
    db = _db()
    table, names = _table(model), ", ".join(columns)
    with _cursor(db) as cursor:
        if _pg(db):
            count = 0
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        rows = rows if isinstance(rows, list) else list(rows)
        sql = f"INSERT INTO {table} ({names}) VALUES ({_marks(db, len(columns))})"  # noqa: S608 - _meta names
        cursor.executemany(sql, rows)
        return len(rows)


@lru_cache(maxsize=64)
def _insert_ignore_sql(table: str, columns: tuple[str, ...], count: int) -> str:
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - _meta names
        + ", ".join([one] * count)
        + " ON CONFLICT DO NOTHING"
    )


def rows_insert_new(
    model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` that should all be new; raise ``RowExists`` if a unique key (the id,
    or another unique constraint) is taken already.

    PostgreSQL: ``COPY`` (no statement to parse or quote), which fails on the first
    duplicate. SQLite: multi-row ``INSERT … ON CONFLICT DO NOTHING``, and its row count."""
    db = _db()
    table = _table(model)
    with _cursor(db) as cursor:
        if _pg(db):
            import psycopg  # only on PostgreSQL

            try:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            except psycopg.errors.UniqueViolation as error:
                raise RowExists() from error
            return
        for part in _chunks(rows, SQLITE_INSERT_ROWS):
            sql = _insert_ignore_sql(table, tuple(columns), len(part))
            cursor.execute(sql, [value for row in part for value in row])
            if cursor.rowcount != len(part):
                raise RowExists()


@lru_cache(maxsize=64)
def _insert_then_sql(
    vendor: str,
    table: str,
    columns: tuple[str, ...],
    adds: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...],
    deletes: tuple[tuple[str, str], ...],
) -> tuple[str, ...]:
    """The statements of ``row_insert_then``: one on PostgreSQL, one per write on SQLite."""
    if vendor == "postgresql":
        values = ", ".join(["%s"] * len(columns))
        parts = [
            f"t AS (INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"  # noqa: S608 - _meta names
            " ON CONFLICT DO NOTHING RETURNING 1)"
        ]
        for n, (target, sums, where) in enumerate(adds):
            sets = ", ".join(f"{c} = {c} + %s" for c in sums)
            match = " AND ".join(f"{c} = %s" for c in where)
            parts.append(
                f"a{n} AS (UPDATE {target} SET {sets} WHERE {match}"  # noqa: S608 - _meta names
                " AND EXISTS (SELECT 1 FROM t) RETURNING 1)"
            )
        for n, (target, column) in enumerate(deletes):
            parts.append(
                f"d{n} AS (DELETE FROM {target} WHERE {column} = %s"  # noqa: S608 - _meta names
                " AND EXISTS (SELECT 1 FROM t) RETURNING 1)"
            )
        counts = ", ".join(
            ["(SELECT count(*) FROM t)"]
            + [f"(SELECT count(*) FROM a{n})" for n in range(len(adds))]  # noqa: S608 - no values
        )
        return (f"WITH {', '.join(parts)} SELECT {counts}",)
    statements = [
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"  # noqa: S608 - _meta names
        " ON CONFLICT DO NOTHING"
    ]
    for target, sums, where in adds:
        sets = ", ".join(f"{c} = {c} + ?" for c in sums)
        match = " AND ".join(f"{c} = ?" for c in where)
        statements.append(f"UPDATE {target} SET {sets} WHERE {match}")  # noqa: S608 - _meta names
    for target, column in deletes:
        statements.append(f"DELETE FROM {target} WHERE {column} = ?")  # noqa: S608 - _meta names
    return tuple(statements)


def row_insert_then(
    model: type[Model],
    columns: Sequence[str],
    row: Sequence[Any],
    *,
    adds: Sequence[tuple[type[Model], Mapping[str, int], Mapping[str, Any]]] = (),
    deletes: Sequence[tuple[type[Model], str, Any]] = (),
) -> list[int] | None:
    """Insert one ``row`` that should be new and, only if it was, add to counters (``adds``:
    model, column → delta with zeros skipped, column → value to match) and delete rows
    (``deletes``: model, column, value). ``None`` if a unique key of ``row`` is taken: then
    nothing is written and the transaction is still usable (no savepoint needed). Else the
    rows updated by each of ``adds``.

    The cheapest statements for one transfer: PostgreSQL sends one statement (a
    data-modifying ``WITH``), prepared on the server once per connection; SQLite, in
    process, one short statement per write."""
    db = _db()
    shapes, params_after = [], []
    for target, deltas, where in adds:
        moved = [(column, amount) for column, amount in deltas.items() if amount]
        shapes.append((_table(target), tuple(c for c, _ in moved), tuple(where)))
        params_after.append([amount for _, amount in moved] + list(where.values()))
    removals = tuple((_table(target), column) for target, column, _ in deletes)
    statements = _insert_then_sql(db.vendor, _table(model), tuple(columns), tuple(shapes), removals)
    if _pg(db):
        if db.connection is None:
            db.ensure_connection()
        params = [*row, *(v for p in params_after for v in p), *(v for _, _, v in deletes)]
        with _prepared_cursor(db) as cursor:
            cursor.execute(statements[0], params, prepare=True)
            counts = cursor.fetchone()
        if counts is None or counts[0] == 0:
            return None
        return [int(n) for n in counts[1:]]
    with _cursor(db) as cursor:
        cursor.execute(statements[0], list(row))
        if cursor.rowcount != 1:
            return None
        updated = []
        for sql, params in zip(statements[1 : 1 + len(adds)], params_after, strict=True):
            cursor.execute(sql, params)
            updated.append(int(cursor.rowcount))
        for sql, (_, _, value) in zip(statements[1 + len(adds) :], deletes, strict=True):
            cursor.execute(sql, [value])
        return updated


def rows_lock_prepared(
    model: type[Model],
    columns: Sequence[str],
    *,
    among: tuple[str, Sequence[Any]],
    unlocked_if: str | None = None,
) -> list[tuple[Any, ...]]:
    """``rows_lock`` for a few rows, the statement prepared on the server (PostgreSQL) once
    per connection: the single-transfer path sends it at every call."""
    db = _db()
    if not _pg(db):
        return rows_lock(model, columns, among=among, unlocked_if=unlocked_if)

    column, values = among
    sql = _lock_sql(
        db.vendor, _table(model), ", ".join(columns), _pk(model), column, (), unlocked_if, 0
    )
    if db.connection is None:
        db.ensure_connection()
    params = [list(values)]
    with _prepared_cursor(db) as cursor:
        cursor.execute(sql, params if unlocked_if is None else params * 2, prepare=True)
        return list(cursor.fetchall())


def rows_insert_missing(
    model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert those of ``rows`` whose unique key is not taken yet (``ON CONFLICT DO
    NOTHING``): e.g. counter rows that may exist already."""
    if not rows:
        return
    db = _db()
    table, names = _table(model), ", ".join(columns)
    with _cursor(db) as cursor:
        if _pg(db):
            arrays = ", ".join(f"%s::{t}" for t in _types(model, columns))
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608 - _meta names
                "ON CONFLICT DO NOTHING",
                _columns(rows, len(columns)),
            )
            return
        marks = _marks(db, len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608 - _meta names
        cursor.executemany(sql, rows)


@lru_cache(maxsize=64)
def _upsert_add_sql(
    vendor: str, table: str, keys: tuple[str, ...], sums: tuple[str, ...], arrays: str, count: int
) -> str:
    columns = ", ".join((*keys, *sums))
    conflict = f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET " + ", ".join(
        f"{m} = {table}.{m} + excluded.{m}" for m in sums
    )
    if vendor == "postgresql":
        return f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}){conflict}"  # noqa: S608 - _meta names
    one = "(" + ", ".join(["?"] * (len(keys) + len(sums))) + ")"
    return f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * count)}{conflict}"  # noqa: S608 - _meta names


def rows_upsert_add(
    model: type[Model], keys: Sequence[str], sums: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (``keys`` then ``sums`` values), or add their ``sums`` to the row with
    the same ``keys`` (a unique constraint). Rows are written in the order given: sort them,
    so that concurrent writers lock rows in one order and never deadlock.

    PostgreSQL: one short statement, one array parameter per column (psycopg parses a
    statement longer than 4 KiB anew at every call). SQLite: multi-row statements."""
    if not rows:
        return
    db = _db()
    table, keys, sums = _table(model), tuple(keys), tuple(sums)
    with _cursor(db) as cursor:
        if _pg(db):
            arrays = ", ".join(f"%s::{t}" for t in _types(model, (*keys, *sums)))
            sql = _upsert_add_sql(db.vendor, table, keys, sums, arrays, 0)
            cursor.execute(sql, _columns(rows, len(keys) + len(sums)))
            return
        for part in _chunks(rows, SQLITE_UPSERT_ROWS):
            sql = _upsert_add_sql(db.vendor, table, keys, sums, "", len(part))
            cursor.execute(sql, [value for row in part for value in row])


# --- updates and deletes -------------------------------------------------------------------


def rows_update(
    model: type[Model], ids: Sequence[int], values: dict[str, Any], chunk: int = SQLITE_IN_IDS
) -> int:
    """``UPDATE`` the same ``values`` (column → adapted value) on the rows ``ids``."""
    if not ids:
        return 0
    db = _db()
    table, pk = _table(model), _pk(model)
    with _cursor(db) as cursor:
        if _pg(db):
            sets = ", ".join(f"{column} = %s" for column in values)
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE {pk} = ANY(%s)",  # noqa: S608 - _meta names
                [*values.values(), list(ids)],
            )
            return int(cursor.rowcount)
        sets = ", ".join(f"{column} = ?" for column in values)
        count = 0
        for part in _chunks(ids, chunk):
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE {pk} IN ({_marks(db, len(part))})",  # noqa: S608 - _meta names
                [*values.values(), *part],
            )
            count += cursor.rowcount
        return count


@lru_cache(maxsize=64)
def _update_each_sql(
    vendor: str,
    table: str,
    columns: tuple[str, ...],
    key: str,
    add: bool,
    where_null: tuple[str, ...],
    arrays: str,
) -> str:
    if vendor == "postgresql":
        sets = ", ".join(f"{c} = {'t.' + c + ' + ' if add else ''}v.{c}" for c in columns)
        null = "".join(f" AND t.{c} IS NULL" for c in where_null)
        return (
            f"UPDATE {table} AS t SET {sets} FROM unnest({arrays})"  # noqa: S608 - _meta names
            f" AS v({', '.join(columns)}, {key}) WHERE t.{key} = v.{key}{null}"
        )
    sets = ", ".join(f"{c} = {c + ' + ' if add else ''}?" for c in columns)
    null = "".join(f" AND {c} IS NULL" for c in where_null)
    return f"UPDATE {table} SET {sets} WHERE {key} = ?{null}"  # noqa: S608 - _meta names


def _update_each(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    add: bool,
    key: str | None,
    where_null: Sequence[str] = (),
) -> int:
    if not rows:
        return 0
    db = _db()
    key = key or _pk(model)
    columns = tuple(columns)
    arrays = ""
    if _pg(db):
        arrays = ", ".join(f"%s::{t}" for t in _types(model, (*columns, key)))
    sql = _update_each_sql(db.vendor, _table(model), columns, key, add, tuple(where_null), arrays)
    with _cursor(db) as cursor:
        if _pg(db):
            cursor.execute(sql, _columns(rows, len(columns) + 1))
        elif len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)
        return int(cursor.rowcount)


def rows_update_each(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str | None = None,
    where_null: Sequence[str] = (),
) -> int:
    """Set ``columns`` of each row to its own values: ``rows`` are (*values, key), the key
    column being the primary key unless named. ``where_null``: only rows where these
    columns are still NULL. Returns the rows updated (SQLite may say -1 for many)."""
    return _update_each(model, columns, rows, add=False, key=key, where_null=where_null)


def counters_add(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Add to counters, relative to what is stored: ``rows`` are (*deltas, primary key), one
    statement for every row on PostgreSQL. Returns the rows updated (SQLite may say -1)."""
    return _update_each(model, columns, rows, add=True, key=None)


@lru_cache(maxsize=64)
def _add_where_sql(
    vendor: str, table: str, columns: tuple[str, ...], where: tuple[str, ...]
) -> str:
    mark = "%s" if vendor == "postgresql" else "?"
    sets = ", ".join(f"{column} = {column} + {mark}" for column in columns)
    match = " AND ".join(f"{column} = {mark}" for column in where)
    return f"UPDATE {table} SET {sets} WHERE {match}"  # noqa: S608 - _meta names


def counters_add_where(
    model: type[Model], deltas: Mapping[str, int], where: Mapping[str, Any]
) -> int:
    """Add ``deltas`` (column → amount, zeros skipped) to the rows matching ``where``
    (column → value); returns how many rows were updated."""
    db = _db()
    moved = [(column, amount) for column, amount in deltas.items() if amount]
    sql = _add_where_sql(db.vendor, _table(model), tuple(c for c, _ in moved), tuple(where))
    with _cursor(db) as cursor:
        cursor.execute(sql, [amount for _, amount in moved] + list(where.values()))
        return int(cursor.rowcount)


def rows_delete(model: type[Model], column: str, values: Sequence[Any]) -> int:
    """Delete the rows whose ``column`` is one of ``values`` (adapted); returns the count."""
    if not values:
        return 0
    db = _db()
    table = _table(model)
    with _cursor(db) as cursor:
        if _pg(db):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [list(values)])  # noqa: S608 - _meta names
            return int(cursor.rowcount)
        count = 0
        for part in _chunks(values, SQLITE_IN_IDS):
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} IN ({_marks(db, len(part))})",  # noqa: S608 - _meta names
                list(part),
            )
            count += cursor.rowcount
        return count


def counters_take(
    model: type[Model],
    column: str,
    *,
    key: str,
    amounts: Mapping[Any, int],
    equal: Mapping[str, Any],
    chunk: int = 2_000,
) -> dict[Any, int]:
    """Add ``amounts[k]`` to ``column`` of the row whose ``key`` column is ``k`` (among the
    rows whose columns equal ``equal``) and return each row's new value, by ``UPDATE …
    RETURNING`` (the rows stay locked until the caller's transaction ends). Keys without a
    row are missing from the result: create them (``rows_insert_missing``) and call again."""
    keys = sorted(amounts)
    taken: dict[Any, int] = {}
    match = "".join(f" AND {c} = %s" for c in equal)
    with _db().cursor() as cursor:  # Django's cursor: %s on both databases
        for part in _chunks(keys, chunk):
            cases = " ".join(["WHEN %s THEN %s"] * len(part))
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"UPDATE {_table(model)} SET {column} = {column} + CASE {key} {cases} END "  # noqa: S608 - _meta names
                f"WHERE {key} IN ({marks}){match} RETURNING {key}, {column}",
                [*(v for k in part for v in (k, amounts[k])), *part, *equal.values()],
            )
            taken.update(cursor.fetchall())
    return taken


# --- reads under lock ----------------------------------------------------------------------


@lru_cache(maxsize=64)
def _lock_sql(
    vendor: str,
    table: str,
    names: str,
    pk: str,
    column: str,
    equal: tuple[str, ...],
    unlocked_if: str | None,
    count: int,
) -> str:
    if vendor == "postgresql":
        where = f"{column} = ANY(%s)" + "".join(f" AND {c} = %s" for c in equal)
        if unlocked_if is None:
            return f"SELECT {names} FROM {table} WHERE {where} ORDER BY {pk} FOR UPDATE"  # noqa: S608 - _meta names
        return (
            f"WITH locked AS (SELECT {names} FROM {table} WHERE {where}"  # noqa: S608 - _meta names
            f" AND NOT {unlocked_if} ORDER BY {pk} FOR UPDATE) SELECT * FROM locked"
            f" UNION ALL SELECT {names} FROM {table} WHERE {where} AND {unlocked_if}"
        )
    marks = ", ".join(["?"] * count)
    match = "".join(f" AND {c} = ?" for c in equal)
    return f"SELECT {names} FROM {table} WHERE {column} IN ({marks}){match}"  # noqa: S608 - _meta names


def rows_lock(
    model: type[Model],
    columns: Sequence[str],
    *,
    among: tuple[str, Sequence[Any]],
    equal: Mapping[str, Any] | None = None,
    unlocked_if: str | None = None,
) -> list[tuple[Any, ...]]:
    """The ``columns`` of the rows whose ``among[0]`` is one of ``among[1]`` (and whose
    columns equal ``equal``), locked for the caller's transaction in primary-key order.

    ``unlocked_if`` names a boolean column: rows where it is true are read without a lock
    (hot accounts, whose counters live in stripes). PostgreSQL: one statement with
    ``FOR UPDATE``. SQLite: write transactions begin IMMEDIATE (see ``sahayata.dburl``), so
    the database is already the caller's; a plain read."""
    column, values = among
    values = list(values)
    if not values:
        return []
    db = _db()
    shape = (db.vendor, _table(model), ", ".join(columns), _pk(model), column)
    equal = dict(equal or {})
    with _cursor(db) as cursor:
        if _pg(db):
            sql = _lock_sql(*shape, tuple(equal), unlocked_if, 0)
            params = [values, *equal.values()]
            cursor.execute(sql, params if unlocked_if is None else params * 2)
            return list(cursor.fetchall())
        rows: list[tuple[Any, ...]] = []
        for part in _chunks(values, SQLITE_IN_IDS):
            cursor.execute(
                _lock_sql(*shape, tuple(equal), unlocked_if, len(part)), [*part, *equal.values()]
            )
            rows.extend(cursor.fetchall())
        return rows


# --- statements written by the caller --------------------------------------------------------

_COLUMN = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")


def local_date(column: str, timezone_name: str = "Asia/Kolkata", offset_minutes: int = 330) -> str:
    """SQL for the local calendar date of a timestamp ``column`` (``a.submitted_at``).
    SQLite has no time zones: it adds the fixed offset (India has no daylight saving)."""
    if not (_COLUMN.fullmatch(column) and re.fullmatch(r"[A-Za-z_/]+", timezone_name)):
        raise ValueError(f"not a column or zone: {column!r} {timezone_name!r}")
    if _pg(_db()):
        return f"(({column} AT TIME ZONE '{timezone_name}')::date)"
    return f"date({column}, '{int(offset_minutes):+d} minutes')"


def statement(template: str, **parts: type[Model] | str) -> str:
    """``template`` (a constant) with ``{name}`` filled: a model by its table, a string by
    itself (what ``local_date`` builds, or a fixed expression of the caller's code).
    For the hand-written read queries of checks and reports; values stay parameters."""
    names = {name: part if isinstance(part, str) else _table(part) for name, part in parts.items()}
    # Safe as the rest of this module: tables from _meta, expressions built by code.
    return template.format(**names)


def row_address(model: type[Model]) -> str:
    """The column that finds a row of ``model`` fastest, to update rows just read in the
    same transaction: SQLite's ``rowid`` (the table's own B-tree, in insertion order, where
    a random UUID key would probe its index at random), the primary key on PostgreSQL."""
    return _pk(model) if _pg(_db()) else "rowid"


def index_hint(index: str) -> str:
    """What follows a table's name in a read query to make it use ``index``: SQLite's
    ``INDEXED BY`` (its planner takes ``col IS NULL`` on a unique index for a few rows and
    sorts the whole match instead of walking a partial index in order); nothing on
    PostgreSQL, whose statistics choose well."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", index):
        raise ValueError(f"not an index name: {index!r}")
    return "" if _pg(_db()) else f"INDEXED BY {index}"


def rows_fetch(sql: str, params: Sequence[Any], *, hash_joins: bool = False) -> Iterator[tuple]:
    """The rows of a read query (``%s`` placeholders), streamed on SQLite.

    ``hash_joins``: whole-table aggregates. Without fresh statistics (rows written in the
    same transaction, as in tests) PostgreSQL's planner may pick nested loops: quadratic;
    it is told not to, for this query only."""
    db = _db()
    if not _pg(db):
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(5_000):
                yield from batch
        return
    with transaction.atomic(), db.cursor() as cursor:
        if hash_joins:
            cursor.execute("SELECT current_setting('enable_nestloop')")
            before = cursor.fetchone()[0]
            cursor.execute("SET LOCAL enable_nestloop = off")
        try:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        finally:
            if hash_joins:
                cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [before])
    yield from rows


# --- connection settings ------------------------------------------------------------------


def commit_without_flush() -> None:
    """This transaction's commit does not wait for the WAL flush (PostgreSQL's
    ``synchronous_commit = off``): after a crash it may be lost, never half applied. For
    work that can be redone (a simulated day); SQLite already commits without fsync in WAL
    mode with ``synchronous=NORMAL``."""
    db = _db()
    if _pg(db):
        with db.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def page_cache_large(kib: int = 1_048_576) -> None:
    """SQLite: give this connection a page cache of ``kib`` KiB (it writes index entries at
    random places); PostgreSQL's shared buffers are the server's business."""
    db = _db()
    if not _pg(db):
        with db.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size=-{int(kib)}")


# --- append-only tables --------------------------------------------------------------------


def _trigger_name(model: type[Model]) -> str:
    return f"{_table(model)}_append_only"


def append_only_install(
    model: type[Model],
    *,
    seal_columns: Sequence[str] = (),
    seq_column: str = "",
    pruned_through: tuple[type[Model], str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Triggers that refuse to change or delete a stored row of ``model``.

    ``seal_columns`` may be filled once, while ``seq_column`` is still NULL (the sealer);
    nothing else may change. With ``pruned_through = (Checkpoint, column)`` a row may be
    deleted once ``seq_column`` is at or below the highest ``column`` recorded there (a
    pruned, checkpointed prefix). TRUNCATE is left to the table's owner (PostgreSQL
    checks no row triggers on it, and the test database's flush uses it)."""
    db = connections[using]
    table, name = _table(model), _trigger_name(model)
    if pruned_through is not None:
        checkpoint, column = _table(pruned_through[0]), pruned_through[1]
        prunable = (
            f"OLD.{seq_column} IS NOT NULL AND OLD.{seq_column} <= "  # noqa: S608 - _meta names
            f"(SELECT coalesce(max({column}), 0) FROM {checkpoint})"
        )
    else:
        prunable = "0 = 1"
    with db.cursor() as cursor:
        if _pg(db):
            ignored = "".join(f" - '{c}'" for c in seal_columns)
            sealable = (
                f"OLD.{seq_column} IS NULL AND (to_jsonb(NEW){ignored}) = (to_jsonb(OLD){ignored})"
                if seal_columns
                else "false"
            )
            # Identifiers from _meta and constants only (see the module's docstring).
            cursor.execute(
                f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN
                    IF {prunable.replace("0 = 1", "false")} THEN RETURN OLD; END IF;
                  ELSIF {sealable} THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
                END $$"""
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
            return
        kept = [f.column for f in model._meta.concrete_fields if f.column not in set(seal_columns)]
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in kept)
        if seal_columns:
            changed = f"OLD.{seq_column} IS NOT NULL OR {changed}"
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}_update")
        cursor.execute(
            f"CREATE TRIGGER {name}_update BEFORE UPDATE ON {table} FOR EACH ROW "
            f"WHEN {changed} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}_delete")
        cursor.execute(
            f"CREATE TRIGGER {name}_delete BEFORE DELETE ON {table} FOR EACH ROW "
            f"WHEN NOT ({prunable}) BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def append_only_drop(model: type[Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove ``append_only_install``'s triggers: what a database superuser can always do
    (the tamper tests do it; so does a migration that must rewrite the table)."""
    db = connections[using]
    table, name = _table(model), _trigger_name(model)
    with db.cursor() as cursor:
        if _pg(db):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}_delete")


# --- streaming replicas -------------------------------------------------------------------

# On a hot standby: 0 when it has replayed all the WAL it received (an idle primary sends
# none, so the time since the last replayed commit says nothing), else how long ago the
# newest commit it replayed was made on the primary; NULL when it is behind and has replayed
# no commit since it started (it cannot say). A server that is no standby lags by nothing.
_REPLICA_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
END
"""


def replica_lag_seconds(alias: str) -> float | None:
    """How far the standby behind ``alias`` lags its primary, in seconds; ``None`` when it
    cannot say (or is not PostgreSQL). Errors propagate."""
    db = connections[alias]
    if not _pg(db):
        return None
    with db.cursor() as cursor:
        cursor.execute(_REPLICA_LAG_SQL)
        row = cursor.fetchone()
    return None if row is None or row[0] is None else max(0.0, float(row[0]))


# --- secondary indexes and constraints built after a bulk load (sahayata.core.bulkload) ----


def foreign_keys_droppable() -> bool:
    """Can a foreign key or check be dropped and added again without rebuilding its table?
    PostgreSQL: yes. SQLite: no, they are part of the table's definition."""
    return _pg(_db())


def schema_objects(
    tables: Sequence[str], *, using: str = DEFAULT_DB_ALIAS
) -> dict[tuple[str, str], str]:
    """The named indexes and constraints of ``tables``: (table, name) → ``present``, or
    ``not_valid`` for a PostgreSQL constraint added ``NOT VALID`` and not validated yet."""
    db = connections[using]
    found: dict[tuple[str, str], str] = {}
    with db.cursor() as cursor:
        if _pg(db):
            cursor.execute(
                "SELECT tablename, indexname FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = ANY(%s)",
                [list(tables)],
            )
            found.update({(t, n): "present" for t, n in cursor.fetchall()})
            cursor.execute(
                "SELECT c.relname, k.conname, k.convalidated FROM pg_constraint k "
                "JOIN pg_class c ON c.oid = k.conrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)",
                [list(tables)],
            )
            for table, name, valid in cursor.fetchall():
                found[(table, name)] = "present" if valid else "not_valid"
            return found
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            "SELECT tbl_name, name FROM sqlite_master "  # noqa: S608 - placeholders only
            f"WHERE type = 'index' AND tbl_name IN ({marks})",
            list(tables),
        )
        found.update({(t, n): "present" for t, n in cursor.fetchall()})
    return found


def constraints_fire_pending(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """PostgreSQL: check now the deferred foreign keys of rows written earlier in this
    transaction, as ``ALTER TABLE`` refuses to touch a table with pending trigger events
    (a caller's transaction around the load, as in tests). Nothing on SQLite."""
    db = connections[using]
    if _pg(db):
        db.check_constraints()  # SET CONSTRAINTS ALL IMMEDIATE, then back to DEFERRED


def index_build_memory(mib: int = 256) -> None:
    """Inside a transaction that builds an index: PostgreSQL sorts in ``mib`` MiB of
    ``maintenance_work_mem`` (a user's setting) instead of its 64 MiB default; SQLite's
    page cache is already large on the loading connection (``page_cache_large``)."""
    db = _db()
    if _pg(db):
        with db.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{int(mib)}MB'")


def constraint_not_valid(create_sql: str) -> str:
    """``ALTER TABLE … ADD CONSTRAINT …`` that checks no existing row (PostgreSQL's ``NOT
    VALID``: new rows are checked at once, the old ones by ``constraint_validate``)."""
    return f"{create_sql} NOT VALID" if _pg(_db()) else create_sql


def constraint_validate(table: str, name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Check every row against a constraint added ``NOT VALID`` (an ``IntegrityError`` on
    the first that breaks it); nothing to do if it is valid already, or on SQLite."""
    db = connections[using]
    if not _pg(db):
        return
    with db.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {db.ops.quote_name(table)} VALIDATE CONSTRAINT {db.ops.quote_name(name)}"
        )


def foreign_keys_off(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """SQLite: stop checking foreign keys on this connection; True if they are off (not
    inside a transaction, where ``PRAGMA foreign_keys`` is ignored). PostgreSQL: the
    foreign keys are dropped instead (``sahayata.core.bulkload``); False."""
    db = connections[using]
    if _pg(db):
        return False
    if db.in_atomic_block:
        return False  # inside a transaction the pragma would be ignored: still checked
    return bool(db.disable_constraint_checking())


def foreign_keys_on(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """SQLite: check foreign keys again on this connection (new rows only)."""
    db = connections[using]
    if not _pg(db) and not db.in_atomic_block:
        db.enable_constraint_checking()


def foreign_keys_check(
    tables: Sequence[str] | None = None, *, using: str = DEFAULT_DB_ALIAS
) -> None:
    """SQLite: ``PRAGMA foreign_key_check`` over the whole database (rows written while
    ``foreign_keys_off`` may be in any table): ``IntegrityError`` naming the first orphan
    row. PostgreSQL validates its foreign keys itself (``constraint_validate``)."""
    db = connections[using]
    if not _pg(db):
        db.check_constraints(table_names=None)


def schema_describe(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, list[tuple[Any, ...]]]:
    """The whole schema of the database, sorted, to compare two databases (or one before
    and after a bulk load): ``columns`` (table, column, type, not null, default),
    ``indexes`` (table, name, columns, unique, partial condition, definition),
    ``constraints`` (table, name, kind, definition, validated) and ``triggers``. SQLite keeps
    its constraints in the table's definition: ``constraints`` holds that definition, and
    its foreign keys as the database lists them."""
    db = connections[using]
    with db.cursor() as cursor:
        if _pg(db):
            cursor.execute(
                "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
                "a.attnotnull, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid "
                "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
                "AND a.attnum > 0 AND NOT a.attisdropped"
            )
            columns = cursor.fetchall()
            cursor.execute(
                "SELECT t.relname, i.relname, array_to_string(ARRAY(SELECT "
                "pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts)"
                " k), ', '), x.indisunique, coalesce(pg_get_expr(x.indpred, x.indrelid), ''), "
                "pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relnamespace = current_schema()::regnamespace"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), "
                "k.convalidated FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace"
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT c.relname, g.tgname, pg_get_triggerdef(g.oid) FROM pg_trigger g "
                "JOIN pg_class c ON c.oid = g.tgrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace AND NOT g.tgisinternal"
            )
            triggers = cursor.fetchall()
        else:
            cursor.execute(
                'SELECT m.name, c.name, c.type, c."notnull", c.dflt_value FROM sqlite_master m '
                "JOIN pragma_table_info(m.name) c WHERE m.type = 'table'"
            )
            columns = cursor.fetchall()
            cursor.execute(
                "SELECT m.name, l.name, (SELECT group_concat(coalesce(i.name, '<expr>'), ', ') "
                'FROM pragma_index_info(l.name) i), l."unique", l.partial, '
                "coalesce(s.sql, l.origin) FROM sqlite_master m JOIN pragma_index_list(m.name) l "
                "LEFT JOIN sqlite_master s ON s.type = 'index' AND s.name = l.name "
                "WHERE m.type = 'table'"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT name, 'table', 't', sql, 1 FROM sqlite_master WHERE type = 'table' "
                "UNION ALL SELECT m.name, f.\"table\" || '.' || f.\"to\", 'f', "
                "f.\"from\" || ' ' || f.on_update || ' ' || f.on_delete, 1 "
                "FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f "
                "WHERE m.type = 'table'"
            )
            constraints = cursor.fetchall()
            cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
    return {
        "columns": sorted(tuple(row) for row in columns),
        "indexes": sorted(tuple(row) for row in indexes),
        "constraints": sorted(tuple(row) for row in constraints),
        "triggers": sorted(tuple(row) for row in triggers),
    }
