"""The ledger's sealer on a growing backlog: does a batch cost the same at 6M transfers as at 50k?

``python -m bench sealer`` builds a history of unsealed transfers in a fresh database (a
temporary SQLite file; PostgreSQL too when ``BENCH_SEALER_POSTGRES_URL`` names a database
whose name contains ``bench``, which the run empties), as a simulated history leaves them:
random (uuid5-like) ids, in time order. At each size of ``BENCH_SEALER_SIZES`` (default
50k, 500k, 2M, 6M) it runs ``ledger_seal`` over the next ``BENCH_SEALER_WINDOW`` (50,000)
unsealed transfers and prints one JSON line: transfers sealed per second, beside the
smallest size's rate measured in the same run (``ratio_to_first``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from bench._fresh import postgres_reset, run_child, sqlite_url

SIZES = [
    int(size)
    for size in os.environ.get("BENCH_SEALER_SIZES", "50000,500000,2000000,6000000").split(",")
]
WINDOW = int(os.environ.get("BENCH_SEALER_WINDOW", "50000"))
CHUNK = 500_000
SPACING_S = 0.85  # as bench/history.py: 100M transfers over four years and a half

SQLITE_FILL = """
WITH RECURSIVE s(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM s WHERE i < %s)
INSERT INTO wallet_transfer (id, kind, debit_account_id, credit_account_id, amount_paise,
    pending_id, code, reference, timeout_seconds, timeout_at, created_at, content_hash,
    seal_seq, chain_hash)
SELECT lower(hex(randomblob(16))), 'single', %s, %s, 100 + i %% 100000, NULL, 'service_fee',
    'BENCH-' || i, NULL, NULL,
    strftime('%%Y-%%m-%%d %%H:%%M:%%f000', 2459519.5 + i * %s / 86400.0),
    lower(hex(randomblob(32))), NULL, ''
FROM s
"""

POSTGRES_FILL = """
INSERT INTO wallet_transfer (id, kind, debit_account_id, credit_account_id, amount_paise,
    pending_id, code, reference, timeout_seconds, timeout_at, created_at, content_hash,
    seal_seq, chain_hash)
SELECT gen_random_uuid(), 'single', %s, %s, 100 + i %% 100000, NULL, 'service_fee',
    'BENCH-' || i, NULL, NULL,
    timestamptz '2021-11-01 00:00:00+00' + i * %s * interval '1 second',
    md5(i::text) || md5((-i)::text), NULL, ''
FROM generate_series(%s::bigint, %s::bigint) AS i
"""


def _emit(**fields: Any) -> None:
    print(json.dumps({"bench": "sealer", **fields}), flush=True)


def _fill(first: int, last: int, debit: int, credit: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FILL, [debit, credit, SPACING_S, first, last])
        else:
            cursor.execute(SQLITE_FILL, [first, last, debit, credit, SPACING_S])


def child() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sahayata.wallet.ledger import ledger_seal
    from sahayata.wallet.models import Account, AccountKind

    call_command("migrate", verbosity=0)
    debit = Account.objects.create(kind=AccountKind.FUNDING_BANK, code="BENCH-BANK")
    credit = Account.objects.create(kind=AccountKind.TREASURY, code="BENCH-TREASURY")
    backend = connection.vendor
    written = 0
    first_rate: float | None = None
    first_cpu_rate: float | None = None
    for size in SIZES:
        started = time.perf_counter()
        while written < size:
            last = min(size, written + CHUNK)
            _fill(written + 1, last, debit.pk, credit.pk)
            written = last
        fill_seconds = time.perf_counter() - started
        if backend == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE wallet_transfer")
        started, cpu_started = time.perf_counter(), time.process_time()
        sealed = ledger_seal(max_batches=max(1, WINDOW // 5000))
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        rate = sealed / seconds if seconds else 0.0
        cpu_rate = sealed / cpu_seconds if cpu_seconds else 0.0
        first_rate = first_rate or rate
        first_cpu_rate = first_cpu_rate or cpu_rate
        _emit(
            figure="seal_backlog",
            backend=backend,
            history=written,
            sealed=sealed,
            seconds=round(seconds, 3),
            per_second=round(rate),
            baseline_size=SIZES[0],
            baseline_per_second=round(first_rate),
            ratio_to_first=round(rate / first_rate, 2),
            # This process's CPU: on SQLite all of the work (the database runs in it), and
            # the figure to read on a loaded machine, where wall time is mostly waiting.
            cpu_seconds=round(cpu_seconds, 3),
            cpu_per_second=round(cpu_rate),
            cpu_ratio_to_first=round(cpu_rate / first_cpu_rate, 2),
            fill_seconds=round(fill_seconds, 1),
        )


def _run_child(url: str) -> None:
    run_child("bench.sealer", url, error={"url": url.split("@")[-1]})


def main() -> None:
    with sqlite_url("sahayata-sealer-") as url:
        _run_child(url)
    postgres = os.environ.get("BENCH_SEALER_POSTGRES_URL")
    if postgres:
        postgres_reset(postgres, "BENCH_SEALER_POSTGRES_URL")
        _run_child(postgres)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
