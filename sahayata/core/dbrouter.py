"""Where a query goes when a streaming replica is configured (``DATABASE_REPLICA_URL``).

Everything goes to the primary (``default``) unless a read is marked ``@replica_read``: the
public dashboard and its downloads, the reports and the auditor's pages. A marked read still
goes to the primary when a transaction is open there (a write, a ``FOR UPDATE`` lock or a
number drawn from a counter row happens inside one, and a hot standby refuses all three), and
when the thread is pinned by django-multidb-router's ``PinningRouterMiddleware``: a user who
has just written (any POST, PUT, PATCH or DELETE) reads from the primary for
``MULTIDB_PINNING_SECONDS``, so an operator never sees their own submission missing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from multidb.pinning import this_thread_is_pinned

REPLICA_ALIAS = "replica"

_replica_reads: ContextVar[bool] = ContextVar("sahayata_replica_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def read_alias() -> str:
    """The alias a marked read uses now: the replica, unless it must be the primary."""
    if not replica_configured() or this_thread_is_pinned():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_ALIAS


@contextmanager
def replica_reads() -> Iterator[str]:
    """Within the block, reads the router is asked about go where ``read_alias`` says."""
    token = _replica_reads.set(True)
    try:
        yield read_alias()
    finally:
        _replica_reads.reset(token)


def replica_read(function: Callable[P, R]) -> Callable[P, R]:
    """Mark a selector or view as a read the replica may serve.

    The function's own queries run inside ``replica_reads``; a QuerySet it returns (lazy, so
    evaluated later, outside the block) is bound to the alias chosen at the call.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads() as alias:
            result = function(*args, **kwargs)
        if isinstance(result, QuerySet):
            return result.using(alias)
        return result

    return wrapper


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: marked reads to the replica, everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _replica_reads.get():
            return read_alias()
        # Unmarked: Django's own choice (the instance's database for its relations, else the
        # primary), so a row read from the replica fetches its relations from there too.
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica is a copy of the primary: a row read there may be linked to one here.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
