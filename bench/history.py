"""History size: insert and read cost of ``wallet_transfer`` and ``applications_application``
as the tables grow to tens of millions of rows, to decide on partitioning by month.

Needs ``BENCH_HISTORY_URL``: a dedicated PostgreSQL database (its name contains ``bench``)
that the run migrates and loads with the demo (for real centres, services and accounts),
then fills with generated history by ``INSERT … SELECT generate_series`` in time order.
At each size in ``BENCH_HISTORY_SIZES`` (default 1M, 5M, 20M rows per table) it prints
one JSON line per table (``BENCH_HISTORY_TABLES``, default both): the bulk rate of the last
million, single-row inserts (each its own transaction) and the reads the application makes,
as median and 95th percentile.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1_000_000
START = "2021-11-01 00:00:00+05:30"
# 100M rows over four years and a half is ~0.85 s apart; the generated history keeps that
# spacing so that a month holds what a month of the national network would.
SPACING_MS = 850

TRANSFER_CHUNK_SQL = """
INSERT INTO wallet_transfer (id, kind, debit_account_id, credit_account_id, amount_paise,
    code, reference, created_at, content_hash, seal_seq, chain_hash)
SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0')
        || substr(replace(gen_random_uuid()::text, '-', ''), 13))::uuid,
       'single', wallets[1 + (i %% cardinality(wallets))], payees[1 + (i %% cardinality(payees))],
       1 + (i * 7919) %% 500000, 'service_fee', 'BENCH-' || i, at,
       md5(i::text) || md5((i + 1)::text), %(seal_base)s + i, md5(i::text) || md5(i::text)
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i,
     LATERAL (SELECT %(start)s::timestamptz + i * %(spacing)s * interval '1 millisecond') AS t(at),
     (SELECT array_agg(id) AS wallets FROM wallet_account WHERE kind = 'centre_wallet') AS w,
     (SELECT array_agg(id) AS payees FROM wallet_account WHERE kind <> 'centre_wallet') AS p
"""

APPLICATION_CHUNK_SQL = """
INSERT INTO applications_application (number, centre_id, service_id, service_version,
    department_id, citizen_id, submitted_by_id, fields, contact_email, workflow_code,
    workflow_version, status, is_open, fee_paise, hold, adapter_code, submitted_at,
    submitted_on, due_date, state_entered_at, sample_weight, log_salt)
SELECT 'BENCH-' || lpad(i::text, 12, '0'), c.ids[1 + (i %% cardinality(c.ids))],
       s.ids[1 + (i %% cardinality(s.ids))], 1, s.depts[1 + (i %% cardinality(s.ids))],
       z.id, u.id, '{}'::jsonb, '', 'single_approval', 1,
       CASE WHEN i %% 20 = 0 THEN 'submitted' ELSE 'approved' END, i %% 20 = 0, 0, 'none', '',
       at, (at AT TIME ZONE 'Asia/Kolkata')::date,
       (at AT TIME ZONE 'Asia/Kolkata')::date + 15, at, 1, md5(i::text)
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i,
     LATERAL (SELECT %(start)s::timestamptz + i * %(spacing)s * interval '1 millisecond') AS t(at),
     (SELECT array_agg(id ORDER BY id) AS ids FROM places_centre) AS c,
     (SELECT array_agg(id ORDER BY id) AS ids, array_agg(department_id ORDER BY id) AS depts
        FROM catalogue_service) AS s,
     (SELECT min(id) AS id FROM people_citizen) AS z,
     (SELECT min(id) AS id FROM people_user) AS u
"""


def timed(run: Callable[[], Any], times: int) -> dict[str, float]:
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3),
    }


class History:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.rows = {"wallet_transfer": 0, "applications_application": 0}
        self.rng = random.Random(2026)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def grow(self, table: str, to_rows: int) -> float:
        """Add generated rows up to ``to_rows`` generated ones; the rate of the last chunk."""
        sql = TRANSFER_CHUNK_SQL if table == "wallet_transfer" else APPLICATION_CHUNK_SQL
        marker = "reference" if table == "wallet_transfer" else "number"
        done = self.one(f"SELECT count(*) FROM {table} WHERE {marker} LIKE 'BENCH-%%'")
        rate = 0.0
        while done < to_rows:
            last = min(done + CHUNK, to_rows)
            params = {
                "first": done + 1,
                "last": last,
                "start": START,
                "spacing": SPACING_MS,
                "seal_base": 10**12,
            }
            began = time.perf_counter()
            with self.conn.transaction():
                self.conn.execute(sql, params)
            rate = (last - done) / (time.perf_counter() - began)
            done = last
        self.conn.execute(f"ANALYZE {table}")
        return round(rate)

    def generated_until(self, table: str) -> Any:
        """When the newest generated row was written (the generated rows are evenly spaced)."""
        generated = self.rows[table]
        return self.one(
            "SELECT %s::timestamptz + make_interval(secs => %s)",
            (START, generated * SPACING_MS / 1000),
        )

    def measure(self, table: str, size: int) -> dict[str, Any]:
        rate = self.grow(table, size)
        self.rows[table] = size
        figures: dict[str, Any] = {
            "bench": f"history.{table}",
            "generated_rows": size,
            "bulk_insert_per_s": rate,
            "table_and_indexes_mb": round(
                self.one("SELECT pg_total_relation_size(%s)", (table,)) / 2**20
            ),
        }
        reads = self.transfer_reads() if table == "wallet_transfer" else self.application_reads()
        figures |= reads
        return figures

    def transfer_reads(self) -> dict[str, Any]:
        wallets = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM wallet_account WHERE kind = 'centre_wallet'"
            ).fetchall()
        ]
        payee = self.one("SELECT min(id) FROM wallet_account WHERE kind <> 'centre_wallet'")
        newest = self.generated_until("wallet_transfer")
        ids = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM wallet_transfer TABLESAMPLE SYSTEM (0.1) LIMIT 500"
            ).fetchall()
        ]
        rng = self.rng

        def insert_one() -> None:
            with self.conn.transaction():
                self.conn.execute(
                    "INSERT INTO wallet_transfer (id, kind, debit_account_id, credit_account_id,"
                    " amount_paise, code, reference, created_at, content_hash, chain_hash)"
                    " VALUES (gen_random_uuid(), 'single', %s, %s, 100, 'service_fee', 'ONE',"
                    " now(), md5('x') || md5('y'), '')",
                    (rng.choice(wallets), payee),
                )

        def by_id() -> None:
            self.conn.execute("SELECT * FROM wallet_transfer WHERE id = %s", (rng.choice(ids),))

        def statement_month() -> None:
            # wallet_statement's query: one wallet's entries of the latest month.
            wallet = rng.choice(wallets)
            self.conn.execute(
                "SELECT id, created_at, code, reference, amount_paise, credit_account_id"
                " FROM wallet_transfer WHERE kind IN ('single', 'post_pending')"
                " AND (debit_account_id = %s OR credit_account_id = %s)"
                " AND created_at >= %s - interval '1 month' AND created_at < %s"
                " ORDER BY created_at, id",
                (wallet, wallet, newest, newest),
            ).fetchall()

        def balance_before() -> None:
            # balance_before's query: the sums over a wallet's whole earlier history (the
            # generated payments debit the wallets).
            wallet = rng.choice(wallets)
            self.conn.execute(
                "SELECT sum(amount_paise) FROM wallet_transfer WHERE debit_account_id = %s"
                " AND kind IN ('single', 'post_pending') AND created_at < %s",
                (wallet, newest),
            ).fetchone()

        figures = {"single_insert": timed(insert_one, 300)}
        self.conn.execute("DELETE FROM wallet_transfer WHERE reference = 'ONE'")
        figures |= {
            "read_by_id": timed(by_id, 300),
            "read_statement_month": timed(statement_month, 60),
            "read_balance_before": timed(balance_before, 60),
        }
        return figures

    def application_reads(self) -> dict[str, Any]:
        centres = [r[0] for r in self.conn.execute("SELECT id FROM places_centre").fetchall()]
        departments = [r[0] for r in self.conn.execute("SELECT id FROM catalogue_department")]
        top = self.one("SELECT count(*) FROM applications_application WHERE number LIKE 'BENCH-%%'")
        newest = self.generated_until("applications_application").date()
        template = self.conn.execute(
            "SELECT centre_id, service_id, department_id, citizen_id, submitted_by_id"
            " FROM applications_application WHERE number LIKE 'BENCH-%%' LIMIT 1"
        ).fetchone()
        rng = self.rng
        counter = iter(range(10**9))

        def insert_one() -> None:
            with self.conn.transaction():
                self.conn.execute(
                    "INSERT INTO applications_application (number, centre_id, service_id,"
                    " service_version, department_id, citizen_id, submitted_by_id, fields,"
                    " contact_email, workflow_code, workflow_version, status, is_open, fee_paise,"
                    " hold, adapter_code, submitted_at, submitted_on, due_date, state_entered_at,"
                    " sample_weight, log_salt) VALUES (%s, %s, %s, 1, %s, %s, %s, '{}', '',"
                    " 'single_approval', 1, 'submitted', true, 0, 'none', '', now(),"
                    " current_date, current_date + 15, now(), 1, md5(random()::text))",
                    (f"ONE-{next(counter)}", *template),
                )

        def by_number() -> None:
            number = f"BENCH-{rng.randint(1, top):012d}"
            self.conn.execute(
                "SELECT * FROM applications_application WHERE number = %s", (number,)
            ).fetchone()

        def centre_day() -> None:
            self.conn.execute(
                "SELECT * FROM applications_application WHERE centre_id = %s"
                " AND submitted_on = %s ORDER BY submitted_at DESC",
                (rng.choice(centres), newest),
            ).fetchall()

        def officer_inbox() -> None:
            self.conn.execute(
                "SELECT * FROM applications_application WHERE department_id = %s"
                " AND is_open ORDER BY due_date LIMIT 50",
                (rng.choice(departments),),
            ).fetchall()

        figures = {"single_insert": timed(insert_one, 300)}
        self.conn.execute("DELETE FROM applications_application WHERE number LIKE 'ONE-%%'")
        figures |= {
            "read_by_number": timed(by_number, 300),
            "read_centre_day": timed(centre_day, 100),
            "read_officer_inbox_50": timed(officer_inbox, 100),
        }
        return figures


def prepare(url: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="sahayata.settings")
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 # our own manage.py, fixed arguments
            [sys.executable, str(ROOT / "manage.py"), *command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def main() -> None:
    url = os.environ.get("BENCH_HISTORY_URL", "")
    if not url:
        print(json.dumps({"bench": "history", "skipped": "set BENCH_HISTORY_URL"}))
        return
    if "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit("BENCH_HISTORY_URL must name a database dedicated to benchmarks")
    sizes = [
        int(s) for s in os.environ.get("BENCH_HISTORY_SIZES", "1000000,5000000,20000000").split(",")
    ]
    tables = os.environ.get("BENCH_HISTORY_TABLES", "wallet_transfer,applications_application")
    tables = tables.split(",")
    prepare(url)
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        # West Bengal's 3,561 centres and wallets, not the demo's 75, so that one wallet's
        # history is what it would be in the state.
        conn.execute(
            "INSERT INTO places_centre (name_en, name_bn, code, kind, address, pin_code,"
            " is_active, block_id, district_id)"
            " SELECT 'Bench ' || n, 'Bench ' || n, 'BEN' || lpad(n::text, 5, '0'), c.kind, '',"
            " c.pin_code, true, c.block_id, c.district_id"
            " FROM generate_series(1, 3561 - (SELECT count(*) FROM places_centre)) AS n,"
            " (SELECT * FROM places_centre ORDER BY id LIMIT 1) AS c ON CONFLICT (code) DO NOTHING"
        )
        conn.execute(
            "INSERT INTO wallet_account (kind, code, centre_id, debits_must_not_exceed_credits,"
            " credits_must_not_exceed_debits, hot, debits_posted, credits_posted,"
            " debits_pending, credits_pending, created_at)"
            " SELECT 'centre_wallet', 'BENCH-W-' || c.id, c.id, true, false, false, 0, 0, 0, 0,"
            " now() FROM places_centre AS c WHERE NOT EXISTS"
            " (SELECT 1 FROM wallet_account AS a WHERE a.centre_id = c.id)"
        )
        history = History(conn)
        for size in sizes:
            for table in tables:
                print(json.dumps(history.measure(table, size)), flush=True)


if __name__ == "__main__":
    main()
