"""UUIDv7 (RFC 9562): version 7, the RFC variant, the creation time in the first 48 bits."""

from __future__ import annotations

import time
import uuid

from sahayata.core.ids import uuid7


def test_uuid7_has_version_variant_and_time() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after


def test_uuid7_orders_by_time_and_does_not_repeat() -> None:
    first = uuid7()
    while time.time_ns() // 1_000_000 <= first.int >> 80:
        pass  # the next millisecond, so the order is by time, not by the random bits
    second = uuid7()
    assert first < second
    assert len({uuid7() for _ in range(10_000)}) == 10_000
