"""Fixtures of the transparency tests: a few places and services to roll up."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.factories.transparency import rollup_world


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The dashboard shares its reads through the cache; each test starts without them.
    cache.clear()


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return rollup_world()
