"""The old home of the bulk writers, kept for ``applications/batch.py`` until it calls
``sahayata.core.dialect`` directly: every name here is that module's."""

from __future__ import annotations

from typing import Any

from sahayata.core.dialect import _db, ids_reserve, rows_insert, rows_update

__all__ = ["dbapi_cursor", "ids_reserve", "rows_insert", "rows_update"]


def dbapi_cursor() -> Any:
    """The driver's cursor on Django's connection, *not* closed for the caller: use
    ``dialect.dbapi_cursor()`` (a context manager) in new code."""
    db = _db()
    db.ensure_connection()
    return db.connection.cursor()
