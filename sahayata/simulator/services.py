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

from sahayata.applications.models import Application
from sahayata.core import bulkload, dialect
from sahayata.simulator import bulk, network
from sahayata.simulator.day import Simulator
from sahayata.simulator.models import Simulation
from sahayata.simulator.progress import Progress
from sahayata.simulator.world import SimulationError, network_prepare, plans_of_services
from sahayata.wallet.models import Transfer

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
    defer_indexes: bool = False,
) -> Simulation:
    """Simulate ``days`` days of ``centres`` centres (or continue the latest simulation).

    Free-service applications are written 1 in ``free_sample_factor``, each carrying that
    weight into the rollups (a resumed simulation keeps its own factor).

    ``defer_indexes``: into an empty database (no application and no transfer), load the
    big tables without their secondary indexes, foreign keys and checks and build them at
    the end (``sahayata.simulator.bulk``). A run that stops leaves them missing: resuming
    it continues without them (or, without ``defer_indexes``, builds them first), and any
    other run builds them first. Whatever the path, a run that returns leaves the schema
    the migrations create."""
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
            defer_indexes=defer_indexes,
        )


def _database_empty() -> bool:
    """Nothing to keep indexed yet: no application and no wallet transfer."""
    return not Application.objects.exists() and not Transfer.objects.exists()


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
    defer_indexes: bool,
) -> Simulation:
    if centres < 1 or days < 0 or not 1 <= free_sample_factor <= 1_000:
        raise SimulationError(
            details={"centres": centres, "days": days, "free_sample_factor": free_sample_factor}
        )
    deferred = bulk.deferred_items()
    # Decided before the first row is written: a stopped deferred run is continued
    # deferred only by its own resume; everything else starts on the whole schema.
    was_deferred = bulkload.schema_deferred(deferred)
    deferring = defer_indexes and (was_deferred if resume else _database_empty())
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
    if deferring:
        if not resume:  # a resumed one keeps what an interrupted rebuild built
            bulkload.schema_defer(deferred)
        dialect.foreign_keys_off()
    elif was_deferred:
        _schema_restore(deferred, progress_out)
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
        if deferring:
            _schema_restore(deferred, progress_out)
    finally:
        dialect.foreign_keys_on()
        # Also when interrupted: the days done stay done (each committed on its own), and
        # their time counts.
        progress.done()
        Simulation.objects.filter(pk=simulation.pk).update(
            elapsed_seconds=F("elapsed_seconds") + (time.monotonic() - started)
        )
    simulation.refresh_from_db()
    return simulation


def _schema_restore(deferred: list[bulkload.Deferrable], out: TextIO | None) -> None:
    started = time.monotonic()
    created = bulkload.schema_restore(deferred)
    if out is not None:
        out.write(
            f"\n{created} indexes and constraints built and validated "
            f"in {time.monotonic() - started:,.1f} s"
        )
        out.flush()
