"""Task functions for the job-queue tests, importable by dotted path as the worker needs."""

from __future__ import annotations

import os
import time

CALLS: list[str] = []


def always_fails() -> str:
    CALLS.append("always_fails")
    raise RuntimeError("back end on fire")


def fails_once() -> str:
    CALLS.append("fails_once")
    if CALLS.count("fails_once") == 1:
        raise RuntimeError("first try fails")
    return "second try works"


def record(path: str, number: int) -> str:
    """Append ``number`` and this worker's pid to ``path`` (one small O_APPEND write)."""
    time.sleep(0.05)  # long enough that both workers get some of the queue
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{number} {os.getpid()}\n")
    return str(number)
