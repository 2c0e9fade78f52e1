"""Secondary indexes and constraints built after a bulk load, as ``pg_restore`` does.

A load into empty tables (the simulator's default run) writes faster without keeping the
secondary indexes, foreign keys and check constraints of its biggest tables up to date row
by row: ``schema_defer`` removes them, ``schema_restore`` builds them again and validates
them. Both take the statements from Django's own schema editor and the models' ``_meta``,
the same code ``migrate`` runs (``create_model``: ``_model_indexes_sql``, the deferred
foreign keys, ``Meta.constraints``), so what is rebuilt cannot drift from what the
migrations create; ``tests/simulator/test_deferred_schema.py`` compares the two schemas.

Never removed: primary keys, unique constraints and unique columns (the load relies on
them for its ``ON CONFLICT`` and to refuse a duplicate), NOT NULL, and the check a column
type carries (``>= 0`` of a positive integer, JSON validity on SQLite: PostgreSQL names
those itself, and they cost nothing). What each database allows:

- PostgreSQL: every deferrable item is dropped. ``schema_restore`` creates the indexes,
  adds the foreign keys and checks ``NOT VALID`` (no scan under the lock), then ``VALIDATE
  CONSTRAINT`` each; an interrupted restore leaves only whole items, and the next one
  creates what is missing and validates what is not valid yet.
- SQLite: foreign keys and checks are part of the table's definition and cannot be
  dropped without rebuilding the table; only the indexes are. Foreign keys are not checked
  during the load (``PRAGMA foreign_keys = OFF`` on the loading connection, see
  ``dialect.foreign_keys_off``) and ``schema_restore`` runs ``PRAGMA foreign_key_check`` on
  the tables at the end: any orphan row is an ``IntegrityError``. Checks stay enforced.

Which tables are worth it, and which indexes the load itself reads, is the caller's choice
(``keep``): see ``sahayata/simulator/bulk.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import CheckConstraint, Model

from sahayata.core import dialect

INDEX = "index"
FOREIGN_KEY = "foreign_key"
CHECK = "check"


@dataclass(frozen=True)
class Deferrable:
    """One index or constraint that may be built after the load."""

    table: str
    name: str
    kind: str  # INDEX, FOREIGN_KEY or CHECK
    create: str  # the schema editor's statement
    drop: str


def _unquoted(name: object) -> str:
    return str(name).strip('"`[]')


def deferrables(
    models: Iterable[type[Model]], *, keep: Sequence[str] = (), using: str = DEFAULT_DB_ALIAS
) -> list[Deferrable]:
    """What ``migrate`` creates for ``models`` besides their tables, keys and unique
    constraints, in the order it creates it (indexes, then foreign keys, then checks), less
    the index names in ``keep`` (those the load reads)."""
    db = connections[using]
    # Never entered: it only builds statements (through its private builders, the ones
    # ``create_model`` calls, which django-stubs does not declare).
    editor: Any = db.schema_editor(collect_sql=True)
    editor.deferred_sql = []  # what entering would set (``_delete_index_sql`` reads it)
    found: list[Deferrable] = []
    for model in models:
        table = model._meta.db_table
        for statement in editor._model_indexes_sql(model):
            name = _unquoted(statement.parts["name"])
            if name in keep:
                continue
            drop = editor._delete_index_sql(model, name)
            found.append(Deferrable(table, name, INDEX, str(statement), str(drop)))
        if not dialect.foreign_keys_droppable():
            continue
        for field in model._meta.local_fields:
            if field.remote_field and getattr(field, "db_constraint", False):
                statement = editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
                name = _unquoted(statement.parts["name"])
                drop = editor._delete_fk_sql(model, name)
                found.append(Deferrable(table, name, FOREIGN_KEY, str(statement), str(drop)))
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                create = constraint.create_sql(model, editor)
                drop = constraint.remove_sql(model, editor)
                found.append(Deferrable(table, constraint.name, CHECK, str(create), str(drop)))
    return found


def schema_state(items: Sequence[Deferrable], *, using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """For each of ``items`` by name: ``present``, ``missing`` or ``not_valid`` (a
    constraint added ``NOT VALID`` and not validated yet)."""
    tables = sorted({item.table for item in items})
    present = dialect.schema_objects(tables, using=using)
    return {item.name: present.get((item.table, item.name), "missing") for item in items}


def schema_deferred(items: Sequence[Deferrable], *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Is any of ``items`` missing or not validated (a load deferred them, or stopped while
    they were being rebuilt)?"""
    return any(state != "present" for state in schema_state(items, using=using).values())


def schema_defer(items: Sequence[Deferrable], *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Drop those of ``items`` that exist (one transaction); returns how many. The caller
    then loads on a connection where ``dialect.foreign_keys_off`` was called (SQLite)."""
    state = schema_state(items, using=using)
    dropped = 0
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        dialect.constraints_fire_pending(using=using)
        for item in reversed(items):  # checks and foreign keys first, as a migration would
            if state[item.name] != "missing":
                cursor.execute(item.drop)
                dropped += 1
    return dropped


def schema_restore(items: Sequence[Deferrable], *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Create those of ``items`` that are missing and validate every constraint, then
    check the foreign keys SQLite kept in the tables; returns how many were created.
    Each index and each constraint in its own transaction: an interruption keeps what was
    built, and calling this again finishes the rest."""
    db = connections[using]
    state = schema_state(items, using=using)
    created = 0
    for item in items:
        if state[item.name] != "missing":
            continue
        with transaction.atomic(using=using), db.cursor() as cursor:
            dialect.constraints_fire_pending(using=using)
            dialect.index_build_memory()
            if item.kind == INDEX:
                cursor.execute(item.create)
            else:
                cursor.execute(dialect.constraint_not_valid(item.create))
        created += 1
    for item in items:
        if item.kind != INDEX:
            with transaction.atomic(using=using):
                dialect.constraints_fire_pending(using=using)
                dialect.constraint_validate(item.table, item.name, using=using)
    dialect.foreign_keys_on(using=using)
    dialect.foreign_keys_check(sorted({item.table for item in items}), using=using)
    return created
