"""Wallet benchmarks: the ledger service next to raw SQL doing the same writes.

``python -m bench wallet`` (or ``make bench``) prints one JSON line per figure:

- ``wallet.single_transfer``: one transfer per database transaction through
  ``transfers_create`` (wallet → treasury: lock the wallet, insert, update the wallet, update
  one treasury stripe) vs raw SQL doing the same INSERT and two UPDATEs per transaction;
- ``wallet.single_transfer_workers``: the same from 4 worker processes at once, each with
  its own wallet, vs raw SQL from 4 processes (raw's treasury striped like ours);
- ``wallet.batch_transfer``: ``transfers_create_batch`` (1,000 per transaction over 50
  wallets) vs a raw ``executemany`` INSERT plus one UPDATE per account;
- ``wallet.concurrent_treasury`` (PostgreSQL only): 8 worker processes, each with its own
  wallet, all paying the one treasury account, vs 1 worker; beside it the same 8 workers on
  a naive design that keeps the treasury balance in one row (raw SQL).

Every run uses its own database and removes it afterwards: a temporary SQLite file, or the
one named by ``BENCH_DATABASE_URL``; with ``BENCH_POSTGRES_URL`` (a database dedicated to
benchmarks, e.g. ``postgres://sahayata:sahayata@127.0.0.1:54329/sahayata_wbench``) the same
figures are measured on PostgreSQL, and its tables are dropped at the end. Each backend runs
in a child process (``python -m bench.wallet --child``) whose DATABASE_URL is the bench one.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from typing import Any

from bench._fresh import postgres_schema_reset, run_child, sqlite_url

SINGLE_N = int(os.environ.get("BENCH_WALLET_SINGLE", "1500"))
BATCH_SIZE = 1000
BATCHES = int(os.environ.get("BENCH_WALLET_BATCHES", "6"))
WORKERS = 8
CONCURRENT_SECONDS = float(os.environ.get("BENCH_WALLET_SECONDS", "4"))


# --- parent: one child process per backend ------------------------------------------------


def _run_child(url: str, backend: str) -> None:
    # DEBUG off, no query log: measure the service, not the debug cursor.
    run_child("bench.wallet", url, args=[backend], error={"backend": backend})


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        _run_child(url, "postgresql" if url.startswith("postgres") else "sqlite")
    else:
        with sqlite_url("sahayata-bench-") as fresh:
            _run_child(fresh, "sqlite")
    pg_url = os.environ.get("BENCH_POSTGRES_URL")
    if pg_url:
        postgres_schema_reset(pg_url, "BENCH_POSTGRES_URL")
        try:
            _run_child(pg_url, "postgresql")
        finally:
            postgres_schema_reset(pg_url, "BENCH_POSTGRES_URL")


# --- child: runs against the bench database ------------------------------------------------


def _emit(**figures: Any) -> None:
    print(json.dumps(figures), flush=True)


class Raw:
    """Raw DB-API SQL on Django's underlying connection: the baseline."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.vendor = connection.vendor
        self.conn = connection.connection
        self.mark = "?" if self.vendor == "sqlite" else "%s"

    def sql(self, text: str) -> str:
        return text.replace("%s", self.mark)

    def uid(self, value: uuid.UUID) -> Any:
        return value.hex if self.vendor == "sqlite" else value

    def now(self) -> Any:
        from django.utils import timezone

        return timezone.now()

    def stored_time(self, moment: Any) -> Any:
        return moment.replace(tzinfo=None).isoformat(" ") if self.vendor == "sqlite" else moment

    INSERT = (
        "INSERT INTO wallet_transfer (id, kind, debit_account_id, credit_account_id, amount_paise,"
        " pending_id, code, reference, timeout_seconds, timeout_at, created_at, content_hash,"
        " seal_seq, chain_hash) VALUES (%s, 'single', %s, %s, %s, NULL, 'service_fee', %s, NULL,"
        " NULL, %s, %s, NULL, '')"
    )

    def row(self, debit: int, credit: int, amount: int) -> tuple[Any, ...]:
        from sahayata.wallet.rules import content_hash

        # The same content hash as the service writes, so ledger_check can verify these too.
        transfer_id, moment = uuid.uuid4(), self.now()
        digest = content_hash(
            id=transfer_id,
            kind="single",
            debit_account_id=debit,
            credit_account_id=credit,
            amount_paise=amount,
            pending_id=None,
            code="service_fee",
            reference="raw",
            timeout_at=None,
            created_at=moment,
        )
        return (
            self.uid(transfer_id),
            debit,
            credit,
            amount,
            "raw",
            self.stored_time(moment),
            digest,
        )

    def single(self, wallet: int, treasury: int, stripe: int) -> None:
        cursor = self.conn.cursor()
        cursor.execute("BEGIN")
        cursor.execute(self.sql(self.INSERT), self.row(wallet, treasury, 1))
        cursor.execute(
            self.sql("UPDATE wallet_account SET debits_posted = debits_posted + %s WHERE id = %s"),
            (1, wallet),
        )
        cursor.execute(
            self.sql(
                "UPDATE wallet_accountstripe SET credits_posted = credits_posted + %s"
                " WHERE account_id = %s AND stripe_no = %s"
            ),
            (1, treasury, stripe),
        )
        cursor.execute("COMMIT")

    def single_naive(self, wallet: int, treasury: int) -> None:
        """The design we avoid: the treasury's balance in one row, updated by everyone."""
        cursor = self.conn.cursor()
        cursor.execute("BEGIN")
        cursor.execute(self.sql(self.INSERT), self.row(wallet, treasury, 1))
        cursor.execute(
            self.sql("UPDATE wallet_account SET debits_posted = debits_posted + %s WHERE id = %s"),
            (1, wallet),
        )
        cursor.execute(
            self.sql(
                "UPDATE wallet_account SET credits_posted = credits_posted + %s WHERE id = %s"
            ),
            (1, treasury),
        )
        cursor.execute("COMMIT")

    def batch(self, pairs: list[tuple[int, int]], treasury: int) -> None:
        cursor = self.conn.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(self.sql(self.INSERT), [self.row(w, t, 1) for w, t in pairs])
        per_wallet: dict[int, int] = {}
        for wallet, _ in pairs:
            per_wallet[wallet] = per_wallet.get(wallet, 0) + 1
        for wallet in sorted(per_wallet):
            cursor.execute(
                self.sql(
                    "UPDATE wallet_account SET debits_posted = debits_posted + %s WHERE id = %s"
                ),
                (per_wallet[wallet], wallet),
            )
        cursor.execute(
            self.sql(
                "UPDATE wallet_accountstripe SET credits_posted = credits_posted + %s"
                " WHERE account_id = %s AND stripe_no = %s"
            ),
            (len(pairs), treasury, 0),
        )
        cursor.execute("COMMIT")


def _setup(wallet_count: int) -> tuple[list[int], int]:
    from sahayata.places.models import Block, Centre, District
    from sahayata.wallet.models import AccountKind, TransferCode
    from sahayata.wallet.services import (
        TransferSpec,
        system_account,
        transfers_create_batch,
        wallet_open,
    )

    district = District.objects.create(code="BEN", name_en="Bench", name_bn="বেঞ্চ")
    block = Block.objects.create(district=district, code="BEN-1", name_en="B", name_bn="ব")
    funding = system_account(kind=AccountKind.FUNDING_BANK)
    treasury = system_account(kind=AccountKind.TREASURY)
    wallets = []
    for n in range(wallet_count):
        centre = Centre.objects.create(
            code=f"BEN{n:04d}",
            kind="library",
            district=district,
            block=block,
            name_en="C",
            name_bn="ক",
        )
        wallets.append(wallet_open(centre=centre).pk)
    transfers_create_batch(
        specs=[
            TransferSpec(uuid.uuid4(), funding.pk, pk, 10**12, TransferCode.TOPUP, "bench")
            for pk in wallets
        ]
    )
    return wallets, treasury.pk


def _ours_single(wallet: int, treasury: int) -> None:
    from sahayata.wallet.services import TransferSpec, transfers_create

    transfers_create(
        specs=[TransferSpec(uuid.uuid4(), wallet, treasury, 1, "service_fee", "bench")]
    )


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def _bench_single(backend: str, wallets: list[int], treasury: int) -> None:
    raw = Raw()
    for _ in range(50):  # warm both paths
        _ours_single(wallets[0], treasury)
        raw.single(wallets[0], treasury, 0)
    rounds = []
    for _ in range(3):  # interleave, keep the best of each to damp noise
        start = time.perf_counter()
        for n in range(SINGLE_N):
            _ours_single(wallets[n % len(wallets)], treasury)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        for n in range(SINGLE_N):
            raw.single(wallets[n % len(wallets)], treasury, n % 16)
        rounds.append((ours, time.perf_counter() - start))
    ours_s = min(r[0] for r in rounds)
    raw_s = min(r[1] for r in rounds)
    _emit(
        bench="wallet.single_transfer",
        backend=backend,
        n=SINGLE_N,
        ours_per_s=_rate(SINGLE_N, ours_s),
        raw_per_s=_rate(SINGLE_N, raw_s),
        ratio=round(raw_s / ours_s, 2),
    )


def _bench_batch(backend: str, wallets: list[int], treasury: int) -> None:
    from sahayata.wallet.services import TransferSpec, transfers_create_batch

    raw = Raw()
    pairs = [(wallets[n % len(wallets)], treasury) for n in range(BATCH_SIZE)]
    ours_times, raw_times = [], []
    for _ in range(BATCHES):
        specs = [TransferSpec(uuid.uuid4(), w, t, 1, "service_fee", "bench") for w, t in pairs]
        start = time.perf_counter()
        transfers_create_batch(specs=specs)
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        raw.batch(pairs, treasury)
        raw_times.append(time.perf_counter() - start)
    ours_s, raw_s = sorted(ours_times)[len(ours_times) // 2], sorted(raw_times)[len(raw_times) // 2]
    _emit(
        bench="wallet.batch_transfer",
        backend=backend,
        batch=BATCH_SIZE,
        ours_per_s=_rate(BATCH_SIZE, ours_s),
        raw_per_s=_rate(BATCH_SIZE, raw_s),
        ratio=round(raw_s / ours_s, 2),
    )


def _worker(args: tuple[str, int, int, float]) -> int:
    """One process: pay the treasury from its own wallet until the deadline; count them."""
    mode, wallet, treasury, until = args
    import django

    django.setup()
    from django.db import connection

    connection.close()  # a fresh connection of its own after the fork
    import random

    raw = Raw() if mode in ("naive", "raw") else None
    done = 0
    while time.time() < until:
        if raw is None:
            _ours_single(wallet, treasury)
        elif mode == "naive":
            raw.single_naive(wallet, treasury)
        else:  # the same writes as ours, the treasury striped like ours
            raw.single(wallet, treasury, random.randrange(16))
        done += 1
    connection.close()
    return done


def _concurrent(mode: str, wallets: list[int], treasury: int, workers: int) -> float:
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        until = time.time() + 1.0 + CONCURRENT_SECONDS
        start_at = until - CONCURRENT_SECONDS
        counts = pool.map(_worker, [(mode, wallets[i], treasury, until) for i in range(workers)])
    del start_at
    return sum(counts) / (CONCURRENT_SECONDS + 1.0)


def _bench_single_workers(backend: str, wallets: list[int], treasury: int, workers: int) -> None:
    """Single transfers from ``workers`` processes at once (each its own wallet, one
    treasury), ours against raw SQL doing the same writes on a striped treasury."""
    ours = _concurrent("ours", wallets, treasury, workers)
    raw = _concurrent("raw", wallets, treasury, workers)
    _emit(
        bench="wallet.single_transfer_workers",
        backend=backend,
        workers=workers,
        ours_per_s=round(ours, 1),
        raw_per_s=round(raw, 1),
        ratio=round(ours / raw, 2),
    )


def _bench_concurrent(backend: str, wallets: list[int], treasury: int) -> None:
    one = _concurrent("ours", wallets, treasury, 1)
    eight = _concurrent("ours", wallets, treasury, WORKERS)
    naive = _concurrent("naive", wallets, treasury, WORKERS)
    _emit(
        bench="wallet.concurrent_treasury",
        backend=backend,
        workers=WORKERS,
        ours_per_s=round(eight, 1),
        ours_1_worker_per_s=round(one, 1),
        scaling=round(eight / one, 2),
        raw_single_row_per_s=round(naive, 1),
        ratio=round(eight / naive, 2),
    )


def child(backend: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    wallets, treasury = _setup(wallet_count=50)
    _bench_single(backend, wallets, treasury)
    _bench_single_workers(backend, wallets, treasury, 4)
    _bench_batch(backend, wallets, treasury)
    if backend == "postgresql":
        _bench_concurrent(backend, wallets, treasury)
    from sahayata.wallet.ledger import ledger_check, ledger_seal
    from sahayata.wallet.models import Transfer

    count = Transfer.objects.count()
    start = time.perf_counter()
    ledger_seal()
    sealed = time.perf_counter() - start
    start = time.perf_counter()
    violations = ledger_check(seal=False)
    checked = time.perf_counter() - start
    _emit(
        bench="wallet.ledger_seal_and_check",
        backend=backend,
        transfers=count,
        seal_per_s=_rate(count, sealed),
        check_per_s=_rate(count, checked),
        violations=len(violations),
    )


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
        main()
