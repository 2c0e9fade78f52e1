"""Savepoints that an enclosing one makes unneeded.

A service opens ``transaction.atomic()`` so that a caller inside its own transaction can
catch the service's refusal (a ``DomainError``) and go on: inside a transaction that block
is a savepoint, two statements (SAVEPOINT, RELEASE) per call. When the caller is the API's
idempotent runner, whose own savepoint undoes everything the handler did on any error, the
service's savepoint is redundant: ``refusals_undone_here`` opens that outer savepoint and
says so, and ``atomic_step`` then opens the service's block without one (on an error Django
rolls back to the enclosing savepoint, as the runner expects). That outer savepoint is
released by the transaction's COMMIT, not by a RELEASE of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_covered: ContextVar[bool] = ContextVar("sahayata_savepoint_covered", default=False)


@contextmanager
def refusals_undone_here() -> Iterator[None]:
    """A savepoint (``transaction.atomic()``) that undoes, on any error, everything done
    inside it; ``atomic_step`` blocks inside it take no savepoint of their own."""
    token = _covered.set(True)
    try:
        with transaction.atomic():
            yield
            # Done without an error: the savepoint is left for the COMMIT to release with
            # the transaction (one RELEASE statement fewer). Only an error rolls back to
            # it; after this point nothing can (the enclosing block commits or rolls back
            # the whole), so the block is told it has no savepoint to release.
            ids = transaction.get_connection().savepoint_ids
            if ids and ids[-1] is not None:
                ids[-1] = None
    finally:
        _covered.reset(token)


def atomic_step() -> transaction.Atomic:
    """``transaction.atomic()`` for a service's writes, without a savepoint of its own when
    an enclosing ``refusals_undone_here`` undoes them on an error (then nothing inside may
    catch a database error and go on: it must let it propagate)."""
    return transaction.atomic(savepoint=not _covered.get())


def covered() -> bool:
    """Is an enclosing ``refusals_undone_here`` savepoint open (so ``atomic_step`` took none)?"""
    return _covered.get()
