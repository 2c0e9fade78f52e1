"""Demo data of the transparency dashboard: a small simulated history.

The 75 demo centres over the 31 days of March 2025 (the financial-year-end peak), seed
2025: about 11,000 applications written (free services sampled 1 in 10), 7,000 wallet
payments and just over ₹1 crore, so the dashboard is alive on the first ``make run``,
with its first milestone. Skipped when the demo simulation exists.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sahayata.simulator.models import Simulation
from sahayata.simulator.services import simulation_run

DEMO_LABEL = "demo"
DEMO_CENTRES = 75
DEMO_DAYS = 31
DEMO_START = dt.date(2025, 3, 1)
DEMO_SEED = 2025


def seed_demo(*, stdout: Any, quiet: bool = False) -> None:
    if Simulation.objects.filter(label=DEMO_LABEL).exists():
        if not quiet:
            stdout.write("Transparency: the demo simulation exists already")
        return
    started = time.monotonic()
    simulation = simulation_run(
        centres=DEMO_CENTRES,
        days=DEMO_DAYS,
        seed=DEMO_SEED,
        start=DEMO_START,
        label=DEMO_LABEL,
        progress_out=None,
    )
    if not quiet:
        stdout.write(
            f"Transparency: simulated {simulation.centres} centres over {DEMO_DAYS} days "
            f"({simulation.applications:,} applications, {simulation.payments:,} wallet "
            f"payments, {simulation.paise:,} paise) in {time.monotonic() - started:.1f} s"
        )
