"""A seeded PostgreSQL cluster, made once per run and copied for each test that needs one."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.scale.clusters import Cluster, chown_postgres, django_env, drive, manage, pg_bin


@pytest.fixture(scope="session")
def pg_bindir() -> Path:
    bindir = pg_bin()
    if bindir is None:
        message = "PostgreSQL's server binaries are needed (apt-get install postgresql)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return bindir


@pytest.fixture(scope="session")
def clusters_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="sahayata-clusters-"))
    chown_postgres(folder)
    yield folder
    bindir = pg_bin()
    for pid_file in folder.glob("*/postmaster.pid"):
        # A test that failed midway leaves its servers running: stop them before removing.
        if bindir is not None:
            Cluster(bindir, pid_file.parent).stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def seeded_datadir(pg_bindir: Path, clusters_dir: Path) -> Path:
    """A stopped cluster holding the migrated schema, the demo's places, catalogue, people and
    wallets, and two simulated days of four centres (applications, holds, posts, rollups)."""
    template = Cluster(pg_bindir, clusters_dir / "template")
    template.initdb()
    template.start()
    try:
        template.create_app_database()
        env = django_env(template.url())
        manage("migrate", "--noinput", "-v0", env=env)
        drive("seed", env=env)
        manage(
            "simulate",
            "--centres",
            "4",
            "--days",
            "2",
            "--seed",
            "13",
            "--start",
            "2025-03-01",
            env=env,
        )
        manage("rollups_apply", env=env)
    finally:
        template.stop()
    return template.datadir


@pytest.fixture
def make_cluster(pg_bindir: Path, clusters_dir: Path, seeded_datadir: Path) -> Iterator[object]:
    """``make_cluster(name, **settings)``: a started copy of the seeded cluster."""
    made: list[Cluster] = []

    def make(name: str, **settings: str) -> Cluster:
        cluster = Cluster(pg_bindir, clusters_dir / name, settings=settings)
        shutil.copytree(seeded_datadir, cluster.datadir, symlinks=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", str(cluster.datadir)], check=True)  # noqa: S603, S607
        cluster.datadir.chmod(0o700)
        cluster.start()
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.stop()
