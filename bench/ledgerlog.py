"""Transparency-log benchmarks: building the tree and its heads, proofs at large sizes, storage.

``python -m bench ledgerlog`` (or ``make bench``) prints one JSON line per figure:

- ``ledgerlog.append``: ``log_append`` over real posted transfers (``BENCH_LOG_TRANSFERS``,
  20,000, written by ``transfers_create_batch``): leaves per second, salts looked up, beside
  the ledger's own batch write rate of the same transfers (the log must keep pace with it);
- ``ledgerlog.tree_build``: the tree's part of appending (frontier, node hashes, bulk insert
  of leaves and nodes, one transaction per 10,000) at ``BENCH_LOG_LEAVES`` (1,000,000)
  synthetic leaves, beside the floor: the same leaf rows alone by raw ``executemany``;
- ``ledgerlog.storage``: stored hashes per leaf and database bytes per leaf at a quarter of
  the size and at the full size (equal: O(n), never O(n log n));
- ``ledgerlog.proof``: inclusion proofs (random leaves) and consistency proofs (random pairs
  of sizes) read from the store, p50/p99 in ms, each checked by ``scripts/verify_log.py``;
  the baseline ``naive``: one proof computed from the leaf hashes alone (a store without
  interior nodes, as a leaves-only library must do cold), at the same size;
- ``ledgerlog.head``: signing and publishing a head at the full size.

Each run uses its own database (a temporary SQLite file, or ``BENCH_DATABASE_URL``; with
``BENCH_POSTGRES_URL``, a database whose name contains ``bench``, PostgreSQL too, its tables
dropped before and after), in a child process as ``bench.wallet`` does.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

from bench._fresh import postgres_schema_reset, run_child, sqlite_url

LEAVES = int(os.environ.get("BENCH_LOG_LEAVES", "1000000"))
TRANSFERS = int(os.environ.get("BENCH_LOG_TRANSFERS", "20000"))
PROOFS = int(os.environ.get("BENCH_LOG_PROOFS", "300"))
BATCH = 10_000


def _run_child(url: str, backend: str) -> None:
    with tempfile.TemporaryDirectory(prefix="sahayata-logkey-") as keys:
        run_child(
            "bench.ledgerlog",
            url,
            args=[backend],
            error={"backend": backend},
            SAHAYATA_LOG_KEY_PATH=f"{keys}/log.pem",
        )


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


# --- child ----------------------------------------------------------------------------------


def _emit(**figures: Any) -> None:
    print(json.dumps(figures), flush=True)


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, max(0, round(0.99 * len(samples)) - 1))]
    return {"p50_ms": round(statistics.median(samples), 3), "p99_ms": round(p99, 3)}


def _log_bytes() -> int | None:
    """Bytes of the log's two tables and their indexes (None where SQLite has no dbstat)."""
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('ledgerlog_logleaf')"
                " + pg_total_relation_size('ledgerlog_lognode')"
            )
            return int(cursor.fetchone()[0])
        try:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master"
                " WHERE tbl_name IN ('ledgerlog_logleaf', 'ledgerlog_lognode'))"
            )
        except DatabaseError:
            return None
        return int(cursor.fetchone()[0])


def bench_append(backend: str) -> None:
    """Real posted transfers through the ledger, then through the log."""
    from bench.wallet import _setup
    from sahayata.ledgerlog.services import log_append
    from sahayata.wallet.ledger import ledger_seal
    from sahayata.wallet.services import TransferSpec, transfers_create_batch

    wallets, treasury = _setup(50)
    log_append()  # the top-ups of the setup
    started = time.perf_counter()
    for start in range(0, TRANSFERS, 1000):
        specs = [
            TransferSpec(uuid.uuid4(), wallets[n % 50], treasury, 1, "service_fee", f"BSK-{n}")
            for n in range(start, min(TRANSFERS, start + 1000))
        ]
        transfers_create_batch(specs=specs)
    ledger_s = time.perf_counter() - started
    started = time.perf_counter()
    ledger_seal()
    seal_s = time.perf_counter() - started
    started = time.perf_counter()
    appended = log_append()
    append_s = time.perf_counter() - started
    _emit(
        bench="ledgerlog.append",
        backend=backend,
        transfers=appended,
        log_append_per_s=round(appended / append_s, 1),
        ledger_batch_write_per_s=round(TRANSFERS / ledger_s, 1),
        ledger_seal_per_s=round(TRANSFERS / seal_s, 1),
        ratio_to_ledger=round((TRANSFERS / append_s) / (TRANSFERS / ledger_s), 2),
    )


def _synthetic(index: int) -> bytes:
    return hashlib.sha256(b"\x00bench leaf %d" % index).digest()


def bench_tree(backend: str) -> None:
    from django.db import connection, transaction

    from sahayata.ledgerlog import merkle, store
    from sahayata.ledgerlog.models import LogLeaf, LogNode, LogState
    from sahayata.wallet.models import LedgerSeal

    sealed = LedgerSeal.objects.get(pk=1).last_seq  # the appender skips the real transfers
    LogLeaf.objects.all().delete()
    LogNode.objects.all().delete()
    LogState.objects.all().delete()
    storage: list[dict[str, Any]] = []
    started = time.perf_counter()
    size = 0
    while size < LEAVES:
        with transaction.atomic():
            frontier = merkle.Frontier(size, store.fetch)
            leaves, nodes = [], []
            for index in range(size, min(LEAVES, size + BATCH)):
                value = _synthetic(index)
                leaves.append((index, str(uuid.UUID(int=index + 1)), value))
                nodes.extend(frontier.append(value))
            store.write(leaves, nodes)
            size = frontier.size
            state = {"size": size, "last_seal_seq": sealed}
            LogState.objects.update_or_create(pk=1, defaults=state)
        if size in (LEAVES // 4 // BATCH * BATCH, LEAVES):
            stored = LogLeaf.objects.count() + LogNode.objects.count()
            stored_bytes = _log_bytes()
            storage.append(
                {
                    "leaves": size,
                    "hashes_per_leaf": round(stored / size, 4),
                    "db_bytes_per_leaf": round(stored_bytes / size, 1) if stored_bytes else None,
                }
            )
    build_s = time.perf_counter() - started
    floor_s = _raw_floor(connection)
    _emit(
        bench="ledgerlog.tree_build",
        backend=backend,
        leaves=LEAVES,
        ours_per_s=round(LEAVES / build_s, 1),
        floor_leaf_rows_per_s=round(LEAVES / floor_s, 1),
        ratio=round(floor_s / build_s, 2),
        seconds=round(build_s, 1),
    )
    _emit(bench="ledgerlog.storage", backend=backend, at=storage)


def _raw_floor(connection: Any) -> float:
    """The same leaf rows, alone, by raw executemany into a clone of the leaf table."""
    sqlite = connection.vendor == "sqlite"
    mark = "?" if sqlite else "%s"
    columns = (
        '"index" integer primary key, transfer_id char(32) unique, leaf_hash blob'
        if sqlite
        else '"index" bigint primary key, transfer_id uuid unique, leaf_hash bytea'
    )
    connection.ensure_connection()
    raw = connection.connection
    cursor = raw.cursor()
    cursor.execute(f"CREATE TABLE bench_leaf_floor ({columns})")
    raw.commit()
    started = time.perf_counter()
    for start in range(0, LEAVES, BATCH):
        rows = []
        for index in range(start, min(LEAVES, start + BATCH)):
            uid = uuid.UUID(int=index + 1)
            rows.append((index, uid.hex if sqlite else uid, _synthetic(index)))
        cursor.executemany(f"INSERT INTO bench_leaf_floor VALUES ({mark}, {mark}, {mark})", rows)
        raw.commit()
    elapsed = time.perf_counter() - started
    cursor.execute("DROP TABLE bench_leaf_floor")
    raw.commit()
    return elapsed


def _naive_path(index: int, size: int) -> list[bytes]:
    """An inclusion proof from the leaf hashes alone (no stored nodes): each range of the
    path hashed up from its leaves, streamed from the database, O(n) work, O(log n) memory."""
    from sahayata.ledgerlog import merkle
    from sahayata.ledgerlog.models import LogLeaf

    path = []
    for start, end in merkle.inclusion_ranges(index, size):
        frontier = merkle.Frontier(0, lambda nodes: {})
        rows = LogLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")
        for value in rows.values_list("leaf_hash", flat=True).iterator(chunk_size=BATCH):
            frontier.append(bytes(value))
        path.append(frontier.root())
    return path


def bench_proofs(backend: str) -> None:
    from sahayata.ledgerlog import merkle, store
    from sahayata.ledgerlog.services import log_publish
    from sahayata.ledgerlog.verifier import verify_log

    checker = verify_log()
    rng = random.Random(2025)
    root = merkle.root_of(LEAVES, store.fetch)
    inclusion, consistency = [], []
    for _ in range(PROOFS):
        index = rng.randrange(LEAVES)
        started = time.perf_counter()
        path = merkle.hashes_of(merkle.inclusion_ranges(index, LEAVES), store.fetch)
        inclusion.append((time.perf_counter() - started) * 1000)
        if checker.root_from_inclusion(index, LEAVES, _synthetic(index), path) != root:
            raise SystemExit(f"inclusion proof of {index} does not verify")
    for _ in range(PROOFS // 3):
        first = rng.randrange(1, LEAVES)
        started = time.perf_counter()
        proof = merkle.hashes_of(merkle.consistency_ranges(first, LEAVES), store.fetch)
        old = merkle.root_of(first, store.fetch)
        consistency.append((time.perf_counter() - started) * 1000)
        checker.verify_consistency(first, LEAVES, old, root, proof)
    started = time.perf_counter()
    index = LEAVES // 3
    if _naive_path(index, LEAVES) != merkle.hashes_of(
        merkle.inclusion_ranges(index, LEAVES), store.fetch
    ):
        raise SystemExit("the naive proof differs")
    naive_ms = (time.perf_counter() - started) * 1000
    _emit(
        bench="ledgerlog.proof",
        backend=backend,
        leaves=LEAVES,
        inclusion=_percentiles(inclusion),
        consistency_with_old_root=_percentiles(consistency),
        naive_from_leaves_ms=round(naive_ms, 1),
        goal_ms=10,
        verified=len(inclusion) + len(consistency),
    )
    started = time.perf_counter()
    head, _new = log_publish()
    head_ms = (time.perf_counter() - started) * 1000
    if head is None or head.tree_size != LEAVES:
        raise SystemExit("the head does not cover the whole log")
    _emit(bench="ledgerlog.head", backend=backend, leaves=LEAVES, publish_ms=round(head_ms, 1))


def child(backend: str) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    bench_append(backend)
    bench_tree(backend)
    bench_proofs(backend)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
