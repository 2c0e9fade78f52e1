"""A streaming standby made by pg_basebackup serves the public dashboard; writes never touch it.

The standby logs every statement with the client's ``application_name``: the application
connects to it as ``sahayata-replica`` (set in DATABASE_REPLICA_URL), so its log says exactly
which requests reached it. Then the primary is stopped and the dashboard still answers.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.scale.clusters import Cluster, as_postgres, django_env, drive, manage

pytestmark = pytest.mark.postgres

REPLICA_NAME = "sahayata-replica"


def replica_lines(standby: Cluster, since: int) -> list[str]:
    """Statements the application sent to the standby after byte ``since`` of its log."""
    with standby.log.open(encoding="utf-8", errors="replace") as log:
        log.seek(since)
        return [line for line in log if f" {REPLICA_NAME} " in line and "statement:" in line]


def log_size(standby: Cluster) -> int:
    return standby.log.stat().st_size


def make_standby(
    primary: Cluster, pg_bindir: Path, clusters_dir: Path, name: str = "standby"
) -> Cluster:
    standby = Cluster(pg_bindir, clusters_dir / name, settings={"log_statement": "all"})
    as_postgres(
        [
            str(pg_bindir / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(standby.datadir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
    )
    standby.start()
    standby.wait_for("SELECT pg_is_in_recovery()", "t")
    return standby


def caught_up(primary: Cluster, standby: Cluster) -> None:
    lsn = primary.sql("SELECT pg_current_wal_lsn()", db="postgres")
    standby.wait_for(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn", "t")


def test_dashboard_from_standby_writes_on_primary(
    make_cluster: Any, pg_bindir: Path, clusters_dir: Path
) -> None:
    primary: Cluster = make_cluster("primary")
    standby = make_standby(primary, pg_bindir, clusters_dir)
    try:
        env = django_env(primary.url(), standby.url(application_name=REPLICA_NAME))

        # Writes (a maker-checker top-up; a simulated day: submissions drawing numbers from
        # counter rows, holds locking wallets, posts and voids) go to the primary only.
        before = log_size(standby)
        written = drive(
            "topup", env=env, centre="KOL0001", amount_paise=500_000, reference="REPLICA-TEST-1"
        )
        manage("simulate", "--resume", "--days", "1", env=env)
        manage("rollups_apply", env=env)
        assert replica_lines(standby, before) == []
        topup = f"SELECT status FROM wallet_topup WHERE id = '{written['topup']}'"  # noqa: S608
        assert primary.sql(topup) == "credited"

        # The standby has them once it has replayed the primary's WAL.
        caught_up(primary, standby)
        assert standby.sql(topup) == "credited"

        # The dashboard and its download are read from the standby.
        before = log_size(standby)
        served = drive("dashboard", env=env)
        assert served["page_status"] == 200 and served["download_status"] == 200
        reads = replica_lines(standby, before)
        assert any("transparency_rollup" in line for line in reads), reads
        assert not any(
            word in line.upper()
            for line in reads
            for word in ("INSERT", "UPDATE", "DELETE", "FOR UPDATE")
        )

        # Without the primary the dashboard still answers, with the same figures.
        primary.stop()
        alone = drive("dashboard", env=env)
        assert alone["page_status"] == 200
        assert alone["download_sha256"] == served["download_sha256"]
        assert alone["download_lines"] > 2
    finally:
        standby.stop()


def standby_lag(standby: Cluster) -> float:
    """The lag as sahayata/core/dialect.py measures it, read directly on the standby."""
    from sahayata.core.dialect import _REPLICA_LAG_SQL

    answer = standby.sql(" ".join(_REPLICA_LAG_SQL.split()), db="postgres")
    return float(answer) if answer else float("inf")


def reads_of(standby: Cluster, since: int, table: str) -> list[str]:
    return [line for line in replica_lines(standby, since) if table in line]


def test_a_lagging_standby_serves_nothing_and_readyz_says_so(
    make_cluster: Any, pg_bindir: Path, clusters_dir: Path
) -> None:
    """Replay paused on the standby while the primary writes: past the lag limit /readyz is
    503 with the lag, and the dashboard and the auditor's API read the primary (which has
    the new write); once replay resumes, both are the standby's again."""
    primary: Cluster = make_cluster("primary-lag")
    standby = make_standby(primary, pg_bindir, clusters_dir, "standby-lag")
    try:
        env = django_env(primary.url(), standby.url(application_name=REPLICA_NAME))
        env["SAHAYATA_REPLICA_LAG_LIMIT_SECONDS"] = "2"
        caught_up(primary, standby)

        # Caught up: ready, and the auditor's API reads the standby (after the token's
        # lookup and its last-used time, on the primary).
        ready = drive("readyz", env=env)
        assert ready["status"] == 200, ready
        assert ready["body"]["checks"]["replica_lag_check"]["reads"] == "replica"
        before = log_size(standby)
        audited = drive("auditor_api", env=env, centre="KOL0001")
        assert audited["wallet_status"] == 200 and audited["statement_status"] == 200
        assert reads_of(standby, before, "wallet_transfer"), replica_lines(standby, before)
        assert not reads_of(standby, before, "people_apitoken")

        # Replay paused; the primary credits a top-up the standby does not replay.
        standby.sql("SELECT pg_wal_replay_pause()", db="postgres")
        drive("topup", env=env, centre="KOL0001", amount_paise=700_000, reference="LAG-TEST-1")
        deadline = time.monotonic() + 30
        while standby_lag(standby) <= 2.5:
            assert time.monotonic() < deadline, "the standby's lag did not grow"
            time.sleep(0.2)
        topup = "SELECT count(*) FROM wallet_topup WHERE bank_reference = 'LAG-TEST-1'"
        assert primary.sql(topup) == "1" and standby.sql(topup) == "0"

        lagging = drive("readyz", env=env)
        assert lagging["status"] == 503, lagging
        check = lagging["body"]["checks"]["replica_lag_check"]
        assert check["lag_seconds"] > 2 and check["limit_seconds"] == 2
        assert check["reads"] == "default"
        before = log_size(standby)
        served = drive("dashboard", env=env)
        assert served["page_status"] == 200 and served["download_status"] == 200
        lagged = drive("auditor_api", env=env, centre="KOL0001")
        assert lagged["balance_paise"] == audited["balance_paise"] + 700_000  # the primary's
        assert reads_of(standby, before, "transparency_rollup") == []
        assert reads_of(standby, before, "wallet_transfer") == []

        # Replay resumes: caught up, ready, and the reads are the standby's again.
        standby.sql("SELECT pg_wal_replay_resume()", db="postgres")
        caught_up(primary, standby)
        assert drive("readyz", env=env)["status"] == 200
        before = log_size(standby)
        again = drive("auditor_api", env=env, centre="KOL0001")
        assert again["balance_paise"] == lagged["balance_paise"]
        assert reads_of(standby, before, "wallet_transfer")
        drive("dashboard", env=env)
        assert reads_of(standby, before, "transparency_rollup")
    finally:
        standby.stop()
