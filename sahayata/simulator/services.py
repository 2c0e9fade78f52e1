"""The network simulator: a seeded history written through the real services.

``simulation_run`` walks the days. For each day, in one transaction: top-ups for wallets
that need them (``topup_request`` by the centre's operator, ``topup_approve`` by a
finance officer: maker-checker), the day's submissions (``applications.batch``: numbers,
due dates, fee lines, holds in the wallet's batch path), the wallet's sweeper
(``holds_expire``) and the day's decisions (workflow steps, posts and voids), then the
rollup consumer. The simulation's ``simulated_until`` moves in the same transaction, so an
interrupted run resumes at the first incomplete day with the same result.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from django.db.models import F
from django.test.utils import override_settings

from sahayata.core import dialect
from sahayata.simulator import network
from sahayata.simulator.day import Simulator
from sahayata.simulator.models import Simulation
from sahayata.simulator.progress import Progress
from sahayata.simulator.world import SimulationError, network_prepare, plans_of_services

__all__ = ["SimulationError", "simulation_run"]


def simulation_run(
    *,
    centres: int = network.NETWORK_CENTRES,
    days: int = network.DEFAULT_DAYS,
    seed: int = 1,
    start: dt.date | None = None,
    resume: bool = False,
    label: str = "",
    progress_out: TextIO | None = sys.stderr,
    on_day: Callable[[dt.date], Any] | None = None,
    free_sample_factor: int = network.FREE_SAMPLE_FACTOR,
) -> Simulation:
    """Simulate ``days`` days of ``centres`` centres (or continue the latest simulation).

    Free-service applications are written 1 in ``free_sample_factor``, each carrying that
    weight into the rollups (a resumed simulation keeps its own factor)."""
    # With DEBUG on, Django keeps the SQL of every query it runs: a third of a simulated
    # history's time went into formatting millions of statements nobody reads.
    with override_settings(DEBUG=False):
        return _simulation_run(
            centres=centres,
            days=days,
            seed=seed,
            start=start,
            resume=resume,
            label=label,
            progress_out=progress_out,
            on_day=on_day,
            free_sample_factor=free_sample_factor,
        )


def _simulation_run(
    *,
    centres: int,
    days: int,
    seed: int,
    start: dt.date | None,
    resume: bool,
    label: str,
    progress_out: TextIO | None,
    on_day: Callable[[dt.date], Any] | None,
    free_sample_factor: int,
) -> Simulation:
    if centres < 1 or days < 0 or not 1 <= free_sample_factor <= 1_000:
        raise SimulationError(
            details={"centres": centres, "days": days, "free_sample_factor": free_sample_factor}
        )
    if resume:
        simulation = Simulation.objects.filter(label=label).order_by("-pk").first()
        if simulation is None:
            raise SimulationError("No simulation to resume.", details={"label": label})
    else:
        begin = start or network.DEFAULT_START
        simulation = Simulation.objects.create(
            label=label,
            seed=seed,
            centres=centres,
            start=begin,
            simulated_until=begin,
            free_sample_factor=free_sample_factor,
        )
    started = time.monotonic()
    # This connection writes millions of index entries at random places (transfer ids,
    # application numbers): a page cache of 1 GiB instead of 64 MiB (SQLite).
    dialect.page_cache_large()
    net = network_prepare(centres=simulation.centres, seed=simulation.seed)
    simulator = Simulator(simulation, net, plans_of_services())
    if resume:
        simulator.reload_pending()
    progress = Progress(
        work=simulator.expected_work(simulation.simulated_until, days), out=progress_out
    )
    day = simulation.simulated_until
    try:
        for _ in range(days):
            simulator.run_day(day, progress)
            progress.step(day)
            if on_day is not None:
                on_day(day)
            day += dt.timedelta(days=1)
    finally:
        # Also when interrupted: the days done stay done (each committed on its own), and
        # their time counts.
        progress.done()
        Simulation.objects.filter(pk=simulation.pk).update(
            elapsed_seconds=F("elapsed_seconds") + (time.monotonic() - started)
        )
    simulation.refresh_from_db()
    return simulation
