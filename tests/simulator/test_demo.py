"""The demo history: a small simulation for the dashboard, loaded once."""

from __future__ import annotations

import io

import pytest

from sahayata.simulator import demo
from sahayata.simulator.models import Simulation
from sahayata.transparency.models import Rollup
from tests.factories.transparency import simulation_world


@pytest.mark.django_db
def test_seed_demo_simulates_once(monkeypatch: pytest.MonkeyPatch) -> None:
    simulation_world()
    # The real demo is 75 centres over 31 days; the logic is the same at a small size.
    monkeypatch.setattr(demo, "DEMO_CENTRES", 4)
    monkeypatch.setattr(demo, "DEMO_DAYS", 3)
    out = io.StringIO()
    demo.seed_demo(stdout=out)
    assert "simulated 4 centres over 3 days" in out.getvalue()
    simulation = Simulation.objects.get(label=demo.DEMO_LABEL)
    assert simulation.seed == demo.DEMO_SEED and simulation.start == demo.DEMO_START
    cells = Rollup.objects.count()
    assert cells > 0
    demo.seed_demo(stdout=out)
    assert "exists already" in out.getvalue()
    assert Simulation.objects.count() == 1
    assert Rollup.objects.count() == cells
