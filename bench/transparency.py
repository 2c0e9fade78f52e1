"""Transparency benchmarks: the dashboard's reads beside naive aggregates over the ledger.

``python -m bench transparency`` (or ``make bench``) prints one JSON line per figure:

- ``transparency.dashboard``: everything the dashboard page reads (headline figures,
  daily and monthly trend, by district, by department, top services, RTPS on time,
  milestones, network size) through ``transparency.selectors``, p50 and p99 over
  repeated runs: ``ours`` computes them every time, ``ours_shared`` is what a request
  costs when the reads are shared until the rollups change (one indexed query);
  ``transparency.dashboard_page``: the whole page rendered (reads, SVG charts, template);
  ``transparency.summary_api``: the public summary's reads;
- beside each, ``naive``: the same figures aggregated from the ledger (posted
  ``service_fee`` transfers joined to applications and centres), as a dashboard without
  rollups would compute them, in the same run on the same history;
- ``transparency.simulator``: the simulator's rate on the benchmark history (wallet
  payments per second), the time it would take, at that rate, to reach ₹1,000 crore, and
  its baseline ``floor``: the same rows copied by plain SQL into empty clones of their
  tables (same indexes) on the same database, so ``ratio_to_floor`` is what the rules,
  the Python and the batching cost above the storage itself. On an existing history
  (``BENCH_TRANSPARENCY_URL``), ``BENCH_TRANSPARENCY_FLOOR=1`` measures that floor too.

The history is a simulation: by default a temporary SQLite database with
``BENCH_TRANSPARENCY_CENTRES`` (300) centres over ``BENCH_TRANSPARENCY_DAYS`` (20) days of
March 2025. With ``BENCH_TRANSPARENCY_URL`` the reads are measured on an existing history
instead (for example the default ``manage.py simulate`` run on PostgreSQL), which is left as
it is: that is how the 6M-transfer figure is measured. ``BENCH_TRANSPARENCY_POSTGRES_URL``
(a database whose name contains ``bench``, emptied first) simulates the same history on
PostgreSQL too, with its own floor.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import production_env
from bench._fresh import postgres_reset

ROOT = Path(__file__).resolve().parent.parent
CENTRES = int(os.environ.get("BENCH_TRANSPARENCY_CENTRES", "300"))
DAYS = int(os.environ.get("BENCH_TRANSPARENCY_DAYS", "20"))
REPEAT = int(os.environ.get("BENCH_TRANSPARENCY_REPEAT", "200"))
NAIVE_REPEAT = int(os.environ.get("BENCH_TRANSPARENCY_NAIVE_REPEAT", "10"))


def _timed(work: Callable[[], Any], repeat: int) -> dict[str, float]:
    work()  # warm the caches once, as a running server would be
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99_index = min(len(samples) - 1, max(0, round(0.99 * len(samples)) - 1))
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p99_ms": round(samples[p99_index], 2),
        "runs": repeat,
    }


def dashboard_reads() -> None:
    """Every read of the dashboard page (the on-time table reuses the department read)."""
    from sahayata.transparency.selectors import DashboardReads, Filters

    reads = DashboardReads(Filters())
    for name in (
        "summary",
        "network",
        "trend_range",
        "daily",
        "monthly",
        "districts",
        "departments",
        "services",
        "milestones",
    ):
        getattr(reads, name)


def dashboard_page() -> None:
    """The whole page, rendered in Bengali: reads, charts (SVG) and template."""
    from django.test import Client

    response = Client(HTTP_ACCEPT_LANGUAGE="bn").get("/dashboard/")
    if response.status_code != 200:
        raise RuntimeError(f"dashboard answered {response.status_code}")


def dashboard_reads_shared() -> None:
    """The reads as the page gets them: shared until the rollups change (one query)."""
    from sahayata.transparency.selectors import Filters, dashboard_reads

    dashboard_reads(Filters())


def summary_reads() -> None:
    from sahayata.transparency import selectors

    selectors.public_summary()


def naive_dashboard_reads() -> None:
    """The same figures straight from the ledger and applications (no rollups)."""
    from django.db import connection

    from sahayata.applications.models import Application
    from sahayata.core.dialect import local_date
    from sahayata.places.models import Centre
    from sahayata.wallet.models import Transfer

    app, centre, transfer = (
        Application._meta.db_table,
        Centre._meta.db_table,
        Transfer._meta.db_table,
    )
    paid = (
        f"(SELECT reference, SUM(amount_paise) AS paise FROM {transfer} "
        "WHERE kind = 'post_pending' AND code = 'service_fee' GROUP BY reference) p "
        f"JOIN {app} a ON a.number = p.reference JOIN {centre} c ON c.id = a.centre_id"
    )
    queries = [
        f"SELECT COUNT(*), SUM(p.paise) FROM {paid}",
        f"SELECT COUNT(*) FROM {app} a WHERE a.status IN ('approved', 'delivered')",
        f"SELECT {local_date('a.closed_at')}, COUNT(*), SUM(p.paise) FROM {paid} GROUP BY 1",
        f"SELECT c.district_id, COUNT(*), SUM(p.paise) FROM {paid} GROUP BY 1",
        f"SELECT a.department_id, COUNT(*), SUM(p.paise) FROM {paid} GROUP BY 1",
        f"SELECT a.service_id, COUNT(*), SUM(p.paise) FROM {paid} GROUP BY 1 "
        "ORDER BY 2 DESC LIMIT 10",
    ]
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql)
            cursor.fetchall()


FLOOR_TABLES = (
    "applications_application",
    "applications_applicationfee",
    "applications_applicationhistory",
    "wallet_transfer",
    "wallet_holdtimeout",
    "wallet_topup",
    "transparency_rollup",
    "transparency_milestone",
)


FLOOR_SLICE = 50_000

# BENCH_TRANSPARENCY_KEEP_INDEXES=1: the simulator keeps every index and constraint during
# the load (as before issue 14's bulk load), and so does the floor.
KEEP_INDEXES = os.environ.get("BENCH_TRANSPARENCY_KEEP_INDEXES") == "1"


def _clone_schema(cursor: Any, vendor: str, table: str, clone: str) -> tuple[list[str], list[str]]:
    """Create ``clone`` with ``table``'s columns; return the statements that give it the
    table's keys, indexes and constraints: (before the load, after it). After the load:
    what the simulator defers (``sahayata.simulator.bulk``), unless KEEP_INDEXES."""
    from sahayata.simulator.bulk import deferred_items

    deferred = set() if KEEP_INDEXES else {i.name for i in deferred_items() if i.table == table}
    before: list[str] = []
    after: list[str] = []
    if vendor == "postgresql":
        # Columns, defaults and NOT NULL only; then every key, constraint and index of the
        # table under a name of its own (LIKE … INCLUDING ALL would copy no foreign key).
        cursor.execute(f"CREATE TABLE {clone} (LIKE {table} INCLUDING DEFAULTS)")
        cursor.execute(
            "SELECT k.conname, k.contype, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "WHERE k.conrelid = %s::regclass AND k.contype IN ('p', 'u', 'c', 'f') "
            "ORDER BY position(k.contype IN 'pucf'), k.conname",
            [table],
        )
        for n, (name, _kind, definition) in enumerate(cursor.fetchall()):
            sql = f"ALTER TABLE {clone} ADD CONSTRAINT {clone[:40]}_c{n} {definition}"
            if name in deferred:
                after.append(f"{sql} NOT VALID")
                after.append(f"ALTER TABLE {clone} VALIDATE CONSTRAINT {clone[:40]}_c{n}")
            else:
                before.append(sql)
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint "
            "k WHERE k.conrelid = %s::regclass AND k.conname = i.indexname) ORDER BY 1",
            [table, table],
        )
        for n, (name, definition) in enumerate(cursor.fetchall()):
            head, _, rest = definition.partition(" ON ")
            on_table = rest.split(" ", 1)
            sql = f"{head.rsplit(' ', 1)[0]} {clone[:40]}_i{n} ON {clone} {on_table[1]}"
            (after if name in deferred else before).append(sql)
        return before, after
    cursor.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s "
        "AND sql IS NOT NULL ORDER BY type = 'index'",
        [table],
    )
    for kind, name, ddl in cursor.fetchall():
        ddl = ddl.replace(f'"{table}"', f'"{clone}"', 1)
        if kind == "index":
            ddl = ddl.replace(f'"{name}"', f'"{name}_floor"', 1)
            ddl = ddl.replace(f'"{table}"', f'"{clone}"')
            (after if name in deferred else before).append(ddl)
        else:
            cursor.execute(ddl)
    return before, after


def write_floor() -> dict[str, Any]:
    """The storage floor under the simulator: the rows it wrote, copied by one
    ``INSERT … SELECT`` per table into empty clones with the same columns, keys, indexes
    and constraints, on the same database (no rules, no Python per row), loaded the way the
    simulator loads: the indexes, foreign keys and checks it builds after the load are
    built after the floor's too, and counted in its time (SQLite: foreign keys off during
    the load, then ``PRAGMA foreign_key_check``). Returns seconds and rows."""
    from django.db import connection, transaction

    from sahayata.core import dialect

    rows = 0
    seconds = 0.0
    vendor = connection.vendor
    deferring = not KEEP_INDEXES
    with connection.cursor() as cursor:
        for table in FLOOR_TABLES:
            clone = f"{table}_floor"
            cursor.execute(f"DROP TABLE IF EXISTS {clone}")
            before, after = _clone_schema(cursor, vendor, table, clone)
            for sql in before:
                cursor.execute(sql)
            if deferring:
                dialect.foreign_keys_off()
            started = time.perf_counter()
            if vendor == "postgresql":
                with transaction.atomic():
                    cursor.execute(f"INSERT INTO {clone} SELECT * FROM {table}")
                    rows += cursor.rowcount
            else:
                # Committed in slices, as the simulator commits day by day: one giant
                # transaction would grow SQLite's WAL to the size of the table.
                cursor.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}")
                highest = cursor.fetchone()[0]
                for low in range(0, highest, FLOOR_SLICE):
                    with transaction.atomic():
                        cursor.execute(
                            f"INSERT INTO {clone} SELECT * FROM {table} "
                            "WHERE rowid > %s AND rowid <= %s",
                            [low, low + FLOOR_SLICE],
                        )
                        rows += cursor.rowcount
            for sql in after:
                with transaction.atomic():
                    dialect.index_build_memory()
                    cursor.execute(sql)
            if deferring:
                dialect.foreign_keys_on()
                if vendor != "postgresql":
                    cursor.execute(f"PRAGMA foreign_key_check({clone})")
                    if cursor.fetchall():
                        raise RuntimeError(f"{clone}: rows without their parent")
            seconds += time.perf_counter() - started
            cursor.execute(f"DROP TABLE {clone}")
    return {"seconds": round(seconds, 2), "rows": rows, "indexes_after_load": deferring}


def history_size() -> dict[str, int]:
    from sahayata.applications.models import Application
    from sahayata.transparency.models import Rollup
    from sahayata.wallet.models import Transfer

    return {
        "transfers": Transfer.objects.count(),
        "service_payments": Transfer.objects.filter(
            kind="post_pending", code="service_fee"
        ).count(),
        "applications": Application.objects.count(),
        "rollup_cells": Rollup.objects.count(),
    }


def _emit(**fields: Any) -> None:
    print(json.dumps({"bench": "transparency", **fields}, default=str), flush=True)


def child(simulate: bool) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    backend = connection.vendor
    if simulate:
        call_command("migrate", verbosity=0)
        from sahayata.catalogue.demo import seed_demo as catalogue_seed
        from sahayata.core.money import CRORE_PAISE
        from sahayata.places.demo import seed_demo as places_seed
        from sahayata.simulator import network
        from sahayata.simulator.services import simulation_run

        places_seed(stdout=sys.stderr, quiet=True)
        catalogue_seed(stdout=sys.stderr, quiet=True)
        started = time.monotonic()
        cpu_started = time.process_time()
        simulation = simulation_run(
            centres=CENTRES,
            days=DAYS,
            seed=1,
            start=dt.date(2025, 3, 1),
            progress_out=None,
            defer_indexes=not KEEP_INDEXES,  # as ``manage.py simulate`` into an empty database
        )
        seconds = time.monotonic() - started
        cpu_seconds = time.process_time() - cpu_started
        rate = simulation.payments / seconds if seconds else 0.0
        default_payments = 1_000 * CRORE_PAISE / network.MEAN_PAYMENT_PAISE
        floor = write_floor()
        _emit(
            figure="simulator",
            backend=backend,
            centres=CENTRES,
            days=DAYS,
            seconds=round(seconds, 1),
            floor=floor,
            ratio_to_floor=round(seconds / floor["seconds"], 1) if floor["seconds"] else None,
            # The figure: the simulator's speed against the floor's (goal >= 0.5).
            speed_vs_floor=round(floor["seconds"] / seconds, 3) if seconds else None,
            cpu_seconds=round(cpu_seconds, 1),
            indexes_after_load=not KEEP_INDEXES,
            load_average=[round(x, 2) for x in os.getloadavg()],
            applications=simulation.applications,
            wallet_payments=simulation.payments,
            payments_per_second=round(rate, 1),
            extrapolated_minutes_to_1000_crore=round(default_payments / rate / 60, 1)
            if rate
            else None,
            note="includes setup of centres, operators and first top-ups",
        )
    if not simulate and os.environ.get("BENCH_TRANSPARENCY_FLOOR") == "1":
        _emit(figure="write_floor", backend=backend, **write_floor())
    size = history_size()
    ours = _timed(dashboard_reads, REPEAT)
    naive = _timed(naive_dashboard_reads, NAIVE_REPEAT)
    _emit(
        figure="dashboard",
        backend=backend,
        **size,
        ours=ours,
        ours_shared=_timed(dashboard_reads_shared, REPEAT),
        naive=naive,
        debug=settings.DEBUG,
    )
    # The page's static URLs come from collectstatic's manifest with DEBUG off (as in
    # production): gather them first, or a fresh checkout fails to render it.
    call_command("collectstatic", "--noinput", verbosity=0)
    _emit(
        figure="dashboard_page",
        backend=backend,
        transfers=size["transfers"],
        ours=_timed(dashboard_page, max(REPEAT // 4, 10)),
    )
    _emit(
        figure="summary_api",
        backend=backend,
        transfers=size["transfers"],
        ours=_timed(summary_reads, REPEAT),
    )


def rollup_scale_fill() -> None:
    """Fill the rollups to the shape of the default run, through the real outbox and consumer.

    One event per (day, district, service) for the default run's 1,370 days: payments for
    paid services (weight = that day's expected count there, amount = its expected money),
    deliveries for free ones. The rollup cube then has the cells a 6M-payment history
    has, and the totals of the default run (₹1,000 crore and more). No ledger rows are
    written: this measures the dashboard's reads at that history size, nothing else.
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from sahayata.catalogue.demo import seed_demo as catalogue_seed
    from sahayata.catalogue.models import FeeHead, Service
    from sahayata.places.demo import seed_demo as places_seed
    from sahayata.places.models import Centre
    from sahayata.simulator import network
    from sahayata.transparency.services import (
        RollupEventSpec,
        rollup_events_record_batch,
        rollups_apply_all,
    )

    call_command("migrate", verbosity=0)
    places_seed(stdout=sys.stderr, quiet=True)
    catalogue_seed(stdout=sys.stderr, quiet=True)
    centre_of_district: dict[int, int] = {}
    for centre_id, district_id in Centre.objects.order_by("pk").values_list("pk", "district_id"):
        centre_of_district.setdefault(district_id, centre_id)
    paid_ids = set(FeeHead.objects.values_list("service_id", flat=True))
    services = list(Service.objects.filter(is_active=True).values_list("pk", "code", "kind"))
    paid = [(pk, code, kind) for pk, code, kind in services if pk in paid_ids]
    free = [(pk, code, kind) for pk, code, kind in services if pk not in paid_ids]
    paid_w = [
        network.PAID_WEIGHT_BY_CODE.get(c, network.PAID_WEIGHT.get(k, 1.0)) for _, c, k in paid
    ]
    free_w = [network.FREE_WEIGHT.get(k, 1.0) for _, _, k in free]
    holidays = network.closures(range(2020, 2027), set())
    volume = network.calibrated_volume(holidays)
    centres = list(centre_of_district.values())
    started = time.monotonic()
    events = folded = 0
    day = network.DEFAULT_START
    for _ in range(network.DEFAULT_DAYS):
        payments = volume.payments(day, holidays, network.NETWORK_CENTRES) / len(centres)
        deliveries = volume.free(day, holidays, network.NETWORK_CENTRES) / len(centres)
        at = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
        batch = []
        for centre_id in centres:
            for (pk, _, _), weight in zip(paid, paid_w, strict=True):
                count = round(payments * weight / sum(paid_w))
                if count:
                    batch.append(
                        RollupEventSpec(
                            kind="payment_posted",
                            occurred_at=at,
                            centre_id=centre_id,
                            service_id=pk,
                            amount_paise=count * network.MEAN_PAYMENT_PAISE,
                            weight=count,
                            simulated=True,
                        )
                    )
            for (pk, _, _), weight in zip(free, free_w, strict=True):
                count = round(deliveries * weight / sum(free_w))
                if count:
                    batch.append(
                        RollupEventSpec(
                            kind="service_delivered",
                            occurred_at=at,
                            centre_id=centre_id,
                            service_id=pk,
                            weight=count,
                            on_time=True,
                            simulated=True,
                        )
                    )
        with transaction.atomic():
            rollup_events_record_batch(events=batch)
        events += len(batch)
        if events >= 50_000:
            folded += rollups_apply_all(limit=50_000)
            events = 0
        day += dt.timedelta(days=1)
    folded += rollups_apply_all(limit=50_000)
    _emit(
        figure="rollup_scale_fill",
        events=folded,
        seconds=round(time.monotonic() - started, 1),
        events_per_second=round(folded / max(time.monotonic() - started, 1e-6), 1),
    )


def _run_child(url: str, simulate: bool) -> None:
    env = production_env(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="sahayata.settings")
    args = [sys.executable, "-m", "bench.transparency", "--child"]
    if simulate:
        args.append("--simulate")
    result = subprocess.run(  # noqa: S603 - our own module, fixed argv
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        _emit(error="child failed")


def main() -> None:
    url = os.environ.get("BENCH_TRANSPARENCY_URL")
    if url:
        _run_child(url, simulate=False)
        return
    with tempfile.TemporaryDirectory(prefix="sahayata-tbench-") as folder:
        _run_child(f"sqlite:///{folder}/bench.sqlite3", simulate=True)
    postgres = os.environ.get("BENCH_TRANSPARENCY_POSTGRES_URL")
    if postgres:
        postgres_reset(postgres)
        _run_child(postgres, simulate=True)


if __name__ == "__main__":
    if "--rollup-scale" in sys.argv:
        rollup_scale_fill()
    elif "--child" in sys.argv:
        child(simulate="--simulate" in sys.argv)
    else:
        main()
