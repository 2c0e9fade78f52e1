"""Fixtures of the transparency tests: a few places and services to roll up."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.transparency import rollup_world


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return rollup_world()
