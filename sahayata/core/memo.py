"""Process-local memos of rows that never change once written.

A paid submission reads rows that are written once and never updated: a service's
published ``ServiceVersion`` (a new publication is a new row, and the service row, read on
every request, says which one is current), the ids of the wallet and system accounts (an
account is opened once and never deleted). Keeping them in the process costs no
invalidation: a value under a key is the only value that key ever has, so every gunicorn
worker keeps its own memo and none can be stale. Anything that can change (which version
is current, whether a service or centre is active, balances, holidays) is never kept here.

What can break "never changes" is a database emptied under a running process (``flush``,
the tests' rollbacks, which on SQLite give the same ids again): ``memos_clear`` empties
every memo, and runs on ``post_migrate`` (``flush`` sends it) and before each test.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

_ALL: list[Memo[Any]] = []


class Memo(Generic[V]):
    """A bounded map from a key to the one value it will ever have (emptied when full)."""

    def __init__(self, name: str, *, size: int = 4096) -> None:
        self.name = name
        self.size = size
        self._values: dict[Hashable, V] = {}
        _ALL.append(self)

    def get(self, key: Hashable) -> V | None:
        return self._values.get(key)

    def put(self, key: Hashable, value: V) -> V:
        if len(self._values) >= self.size:
            self._values.clear()
        self._values[key] = value
        return value

    def clear(self) -> None:
        self._values.clear()


def memos_clear(**_signal: Any) -> None:
    """Empty every memo (after a flush or a migration, and between tests)."""
    for memo in _ALL:
        memo.clear()
