"""Run a write again when the database aborted it for contention (a deadlock, a
serialization failure), a bounded number of times; past that, or inside a caller's
transaction (which is aborted as a whole and only its owner may run again), raise the
domain's ``Busy``: never the driver's error.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import DatabaseError, connection

from sahayata.core import dialect
from sahayata.core.errors import Busy

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 4


def _outermost() -> bool:
    """No transaction of ours is open (a test case's own atomic blocks do not count)."""
    return not any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def retried_on_contention(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service whose writes are one transaction and safe to repeat (idempotent
    by id or by the state it checks under lock)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempts = ATTEMPTS if _outermost() else 1
        for attempt in range(1, attempts + 1):
            try:
                return function(*args, **kwargs)
            except (DatabaseError, Busy) as error:
                # Busy: a decorated service inside this one lost the race; this one owns the
                # transaction, so this one runs it again.
                if not isinstance(error, Busy) and not dialect.is_contention(error):
                    raise
                if attempt == attempts:
                    if isinstance(error, Busy) and attempts == 1:
                        raise  # not ours to run again: the owner's retries count
                    raise Busy(details={"attempts": attempt}) from error
                # A few milliseconds, random, so the two losers of a race do not meet again.
                time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311 - jitter
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
