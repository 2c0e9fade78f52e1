"""Fixtures of the simulator tests: a small catalogue to simulate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.transparency import simulation_world


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return simulation_world()
