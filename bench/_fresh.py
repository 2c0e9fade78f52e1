"""Throwaway databases for benchmarks that write their own history, and the child process
each backend runs in (DEBUG off, no query log: ``bench.production_env``)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench import production_env

ROOT = Path(__file__).resolve().parent.parent


def _bench_name(url: str, variable: str = "") -> str:
    """The database's name; refused unless it says ``bench`` (the run empties it)."""
    name = url.rsplit("/", 1)[-1]
    if "bench" not in name:
        what = variable or name
        raise SystemExit(f"{what}: a benchmark database's name must contain 'bench'")
    return name


def postgres_reset(url: str, variable: str = "") -> None:
    """Drop and create the database ``url`` names; refuse unless its name says ``bench``."""
    import psycopg

    name = _bench_name(url, variable)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def postgres_schema_reset(url: str, variable: str = "") -> None:
    """Empty the database ``url`` names (its ``public`` schema dropped and made again), for
    a benchmark that may not create databases; refuse unless its name says ``bench``."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    _bench_name(url, variable)
    conninfo = make_conninfo(url.replace("postgres://", "postgresql://", 1))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@contextmanager
def sqlite_url(prefix: str) -> Iterator[str]:
    """The URL of a new SQLite file in a temporary folder, removed on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def run_child(
    module: str,
    url: str,
    *,
    args: Sequence[str] = (),
    error: dict[str, object] | None = None,
    **env: str,
) -> bool:
    """Run ``python -m module --child *args`` against ``url`` (production profile, the
    project's settings); its JSON lines go to stdout. On failure the end of its stderr is
    shown and one JSON line says so (``error`` adds fields to it). True when it succeeded."""
    environment = production_env(
        DATABASE_URL=url, DJANGO_SETTINGS_MODULE="sahayata.settings", **env
    )
    result = subprocess.run(  # noqa: S603 - our own module, fixed argv
        [sys.executable, "-m", module, "--child", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        bench = module.rsplit(".", 1)[-1]
        print(json.dumps({"bench": bench, **(error or {}), "error": "child failed"}), flush=True)
    return result.returncode == 0
