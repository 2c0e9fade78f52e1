"""Base backup, WAL archiving and point-in-time recovery, with the scripts in deploy/.

Load data, take a base backup (deploy/backup.sh), keep writing, note the time just before
a mistaken write (a hand-typed UPDATE that breaks a wallet's balance), write on, destroy the
cluster, restore to that time (deploy/restore.sh): every write acknowledged before it is there,
the mistake and everything after it are not, and ledger_check and transparency_check pass.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.scale.clusters import (
    ROOT,
    Cluster,
    as_postgres,
    chown_postgres,
    django_env,
    drive,
    manage,
)

pytestmark = pytest.mark.postgres

DEPLOY = ROOT / "deploy"
# What the application has written, as one comparable line per table.
FINGERPRINT = {
    "transfers": "SELECT count(*) || ' ' || md5(string_agg(id::text, ',' ORDER BY id))"
    " FROM wallet_transfer",
    "applications": "SELECT count(*) || ' ' || md5(string_agg(number, ',' ORDER BY number))"
    " FROM applications_application",
    "topups": "SELECT count(*) || ' ' || md5(string_agg(id::text || status, ',' ORDER BY id))"
    " FROM wallet_topup",
    "balances": "SELECT md5(string_agg(concat_ws(':', id, debits_posted, credits_posted,"
    " debits_pending, credits_pending), ',' ORDER BY id)) FROM wallet_account",
}


def fingerprint(cluster: Cluster) -> dict[str, str]:
    return {name: cluster.sql(query) for name, query in FINGERPRINT.items()}


def test_restore_to_just_before_a_mistaken_write(
    make_cluster: Any, pg_bindir: Path, clusters_dir: Path
) -> None:
    archive = clusters_dir / "wal-archive"
    backups = clusters_dir / "backups"
    for folder in (archive, backups):
        folder.mkdir()
        chown_postgres(folder)
    primary: Cluster = make_cluster(
        "pitr-primary",
        archive_mode="on",
        archive_command=f"'{DEPLOY / 'wal_archive.sh'} %p %f {archive}'",
    )
    env = django_env(primary.url())
    pg_env = dict(os.environ, PGHOST="127.0.0.1", PGPORT=str(primary.port), PGUSER="postgres")
    pg_env["PGBIN"] = str(pg_bindir)
    base = as_postgres([str(DEPLOY / "backup.sh"), str(backups)], env=pg_env).stdout.strip()
    assert (Path(base) / "base.tar.gz").exists()

    # Writing goes on after the backup: top-ups through maker-checker, a simulated day.
    for n in range(3):
        drive("topup", env=env, centre="KOL0001", amount_paise=100_000 + n, reference=f"PITR-{n}")
    manage("simulate", "--resume", "--days", "1", env=env)
    acknowledged = fingerprint(primary)
    just_before = primary.sql("SELECT clock_timestamp()")

    # The mistake: a hand-typed UPDATE that credits a wallet without a transfer.
    primary.sql(
        "UPDATE wallet_account SET credits_posted = credits_posted + 100000000"
        " WHERE code = (SELECT code FROM wallet_account WHERE kind = 'centre_wallet'"
        " ORDER BY id LIMIT 1)",
        user="sahayata",
    )
    assert manage("ledger_check", "--no-seal", env=env, check=False).returncode == 1
    later = drive("topup", env=env, centre="KOL0001", amount_paise=7_777, reference="PITR-late")

    # Every segment up to here reaches the archive, then the cluster is lost.
    end = primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())", db="postgres")
    primary.sql("SELECT pg_switch_wal()", db="postgres")
    archived = f"SELECT last_archived_wal >= '{end}' FROM pg_stat_archiver"  # noqa: S608
    primary.wait_for(archived, "t")
    primary.stop()
    shutil.rmtree(primary.datadir)

    restored = Cluster(pg_bindir, clusters_dir / "pitr-restored")
    as_postgres(
        [
            str(DEPLOY / "restore.sh"),
            base,
            str(archive),
            str(restored.datadir),
            "--time",
            just_before,
        ]
    )
    restored.start()
    try:
        restored.wait_for("SELECT pg_is_in_recovery()", "f")
        assert fingerprint(restored) == acknowledged
        late_topup = f"SELECT count(*) FROM wallet_topup WHERE id = '{later['topup']}'"  # noqa: S608
        assert restored.sql(late_topup) == "0"
        restored_env = django_env(restored.url())
        for check in ("ledger_check", "transparency_check"):
            done = manage(check, env=restored_env, check=False)
            assert done.returncode == 0, (check, done.stdout, done.stderr)
    finally:
        restored.stop()
