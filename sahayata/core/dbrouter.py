"""Where a query goes when a streaming replica is configured (``DATABASE_REPLICA_URL``).

Everything goes to the primary (``default``) unless a read is marked ``@replica_read``: the
public dashboard and its downloads, the reports and the auditor's pages. A marked read still
goes to the primary when a transaction is open there (a write, a ``FOR UPDATE`` lock or a
number drawn from a counter row happens inside one, and a hot standby refuses all three), and
when the thread is pinned by django-multidb-router's ``PinningRouterMiddleware``: a user who
has just written (any POST, PUT, PATCH or DELETE) reads from the primary for
``MULTIDB_PINNING_SECONDS``, so an operator never sees their own submission missing.
And it goes to the primary while the replica lags by more than
``SAHAYATA_REPLICA_LAG_LIMIT_SECONDS`` or does not answer (measured at most once every
``LAG_RECHECK_SECONDS`` per process); ``/readyz`` reports the lag (``replica_lag_check``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import QuerySet
from multidb.pinning import this_thread_is_pinned

from sahayata.core import dialect

REPLICA_ALIAS = "replica"
LAG_RECHECK_SECONDS = 1.0

_replica_reads: ContextVar[bool] = ContextVar("sahayata_replica_reads", default=False)
# Within a request (``request_scope``): a switch that ``replica_reads_from_now`` turns on for
# the rest of it, once a view knows the request may read the replica (an API token's user).
_request_switch: ContextVar[list[bool] | None] = ContextVar("sahayata_replica_rest", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


# The last measurement of this process: (when, on time, what /readyz shows).
_lag_seen: tuple[float, bool, dict[str, Any]] | None = None


def replica_lag() -> tuple[bool, dict[str, Any]]:
    """Measure the replica's lag now: whether it is within the limit (so marked reads may
    go there) and the detail ``/readyz`` shows. A replica that cannot say, or does not
    answer, is not within it."""
    global _lag_seen
    limit = settings.SAHAYATA_REPLICA_LAG_LIMIT_SECONDS
    detail: dict[str, Any] = {"limit_seconds": limit}
    try:
        lag = dialect.replica_lag_seconds(REPLICA_ALIAS)
    except DatabaseError as exc:
        lag, detail["error"] = None, type(exc).__name__
    detail["lag_seconds"] = None if lag is None else round(lag, 1)
    on_time = lag is not None and lag <= limit
    detail["reads"] = REPLICA_ALIAS if on_time else DEFAULT_DB_ALIAS
    _lag_seen = (time.monotonic(), on_time, detail)
    return on_time, detail


def replica_on_time() -> bool:
    """Whether the replica is within the lag limit, measured at most once a second."""
    seen = _lag_seen
    if seen is None or time.monotonic() - seen[0] >= LAG_RECHECK_SECONDS:
        return replica_lag()[0]
    return seen[1]


def replica_lag_check() -> tuple[bool, dict[str, Any]]:
    """``/readyz`` (with ``DATABASE_REPLICA_URL``): ready while the replica is within the
    lag limit; the detail says by how much it lags and where marked reads go now."""
    return replica_lag()


def read_alias() -> str:
    """The alias a marked read uses now: the replica, unless it must be the primary."""
    if not replica_configured() or this_thread_is_pinned():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if not replica_on_time():
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


@contextmanager
def request_scope() -> Iterator[None]:
    """One request: ``replica_reads_from_now`` inside it lasts until the block ends."""
    token = _request_switch.set([False])
    try:
        yield
    finally:
        _request_switch.reset(token)


def replica_reads_from_now() -> None:
    """Every later read of the current request goes where ``read_alias`` says, as inside
    ``replica_reads`` (for a request known to be read-only only once its view has run its
    authentication). Outside ``request_scope`` it does nothing."""
    switch = _request_switch.get()
    if switch is not None:
        switch[0] = True


def _reads_marked() -> bool:
    switch = _request_switch.get()
    return _replica_reads.get() or (switch is not None and switch[0])


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
        if _reads_marked():
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
