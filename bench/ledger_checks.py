"""``ledger_check`` on a simulated history: each part's time, beside the baseline of the
checks it had before the reconciliations and the published heads (balances, holds, the
hash chain, the log against its database heads), in the same run.

A simulated network (``BENCH_LEDGER_CENTRES`` centres, 100, over ``BENCH_LEDGER_DAYS``
days, 10) on a fresh SQLite file, and on PostgreSQL too when
``BENCH_LEDGER_POSTGRES_URL`` names a database whose name contains ``bench`` (emptied
first). Heads are published once per simulated day, outside the database as in
production. One JSON line per part.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench._fresh import postgres_reset, run_child

CENTRES = int(os.environ.get("BENCH_LEDGER_CENTRES", "100"))
DAYS = int(os.environ.get("BENCH_LEDGER_DAYS", "10"))


def _emit(**fields: Any) -> None:
    print(json.dumps({"bench": "ledger_checks", **fields}, default=str), flush=True)


def _seconds(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return round(time.perf_counter() - started, 3), result


def child() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from sahayata.applications.checks import fees_check
    from sahayata.applications.models import Application
    from sahayata.catalogue.demo import seed_demo as catalogue_seed
    from sahayata.ledgerlog import checks as log_checks
    from sahayata.ledgerlog import published
    from sahayata.ledgerlog.services import log_publish_history
    from sahayata.places.demo import seed_demo as places_seed
    from sahayata.simulator.services import simulation_run
    from sahayata.wallet import ledger
    from sahayata.wallet.models import TopUp, Transfer

    places_seed(stdout=sys.stderr, quiet=True)
    catalogue_seed(stdout=sys.stderr, quiet=True)
    simulation_run(centres=CENTRES, days=DAYS, seed=1, start=dt.date(2025, 3, 1), progress_out=None)
    heads = log_publish_history(until=dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(DAYS))
    ledger.ledger_seal()
    size = {
        "backend": connection.vendor,
        "transfers": Transfer.objects.count(),
        "applications": Application.objects.count(),
        "topups": TopUp.objects.count(),
        "published_heads": len(published.heads_read()[0]),
        "heads": heads,
    }

    def before() -> list[Any]:
        violations: list[Any] = []
        ledger._check_balances(violations)
        ledger._check_holds(violations)
        ledger._check_chain(violations)
        original = published.heads_read
        published.heads_read = lambda: ([], [])  # the log check as it was: database heads only
        try:
            return violations + log_checks.log_check()
        finally:
            published.heads_read = original

    baseline, old = _seconds(before)
    topups_s, topups = _seconds(lambda: ledger._check_topups([]))
    fees_s, fees = _seconds(fees_check)
    log_s, logged = _seconds(log_checks.log_check)
    from sahayata.site.checks import ledger_checks

    whole_s, whole = _seconds(lambda: ledger_checks(seal=False))
    _emit(figure="parts", **size, baseline_old_checks_s=baseline, topups_s=topups_s,
          application_fees_s=fees_s, log_with_published_heads_s=log_s)  # fmt: skip
    _emit(
        figure="ledger_check",
        **size,
        seconds=whole_s,
        baseline_seconds=baseline,
        ratio=round(whole_s / baseline, 2) if baseline else None,
        violations=len(whole),
        baseline_violations=len(old),
        extra_violations=[str(v) for v in (topups or []) + fees + logged][:5],
    )


def _run_child(url: str, folder: str) -> None:
    run_child(
        "bench.ledger_checks",
        url,
        SAHAYATA_LOG_PUBLISH_DIR=f"{folder}/published",
        SAHAYATA_LOG_KEY_PATH=f"{folder}/log.pem",
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sahayata-lbench-") as folder:
        _run_child(f"sqlite:///{folder}/bench.sqlite3", folder)
    postgres = os.environ.get("BENCH_LEDGER_POSTGRES_URL")
    if postgres:
        postgres_reset(postgres, "BENCH_LEDGER_POSTGRES_URL")
        with tempfile.TemporaryDirectory(prefix="sahayata-lbench-") as folder:
            _run_child(postgres, folder)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
        main()
