"""Throwaway PostgreSQL clusters for the replica and point-in-time recovery tests.

Each cluster is a data directory under a temporary folder owned by ``postgres`` (the tests
run as root in CI), listening on 127.0.0.1 on a free port, small and with ``fsync`` off.
Django runs against them in subprocesses (``manage.py`` and ``tests/scale/driver.py``), with
``DATABASE_URL`` and ``DATABASE_REPLICA_URL`` set as a deployment sets them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DB = "sahayata"
SERVER_SETTINGS = {
    "fsync": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "40",
    "max_wal_size": "256MB",
    "log_line_prefix": "'%m [%p] %a '",
}


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_postgres(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a server binary as ``postgres`` when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)  # noqa: S603
    if done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def chown_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@dataclass
class Cluster:
    bindir: Path
    datadir: Path
    port: int = field(default_factory=free_port)
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def log(self) -> Path:
        return self.datadir.parent / f"{self.datadir.name}.log"

    def url(self, **query: str) -> str:
        suffix = "&".join(f"{k}={v}" for k, v in query.items())
        return f"postgres://{DB}:{DB}@127.0.0.1:{self.port}/{DB}" + (f"?{suffix}" if suffix else "")

    def initdb(self) -> None:
        self.datadir.mkdir(mode=0o700)
        chown_postgres(self.datadir)
        as_postgres(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.datadir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )

    def start(self) -> None:
        options = {**SERVER_SETTINGS, **self.settings, "port": str(self.port)}
        opts = " ".join(f"-c {k}={v}" for k, v in options.items())
        as_postgres(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "120",
                "start",
                "-o",
                f"-h 127.0.0.1 -k {self.datadir} {opts}",
            ]
        )

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            as_postgres(
                [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]
            )

    def sql(self, query: str, *, db: str = DB, user: str = "postgres") -> str:
        done = subprocess.run(  # noqa: S603
            [
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                user,
                "-d",
                db,
                "-XAtq",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                query,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def create_app_database(self) -> None:
        self.sql(f"CREATE ROLE {DB} LOGIN PASSWORD '{DB}'", db="postgres")
        self.sql(f"CREATE DATABASE {DB} OWNER {DB}", db="postgres")

    def wait_for(self, query: str, expected: str, *, timeout: float = 60.0) -> None:
        """Poll ``query`` until it answers ``expected`` (replay, archiving, promotion)."""
        deadline = time.monotonic() + timeout
        answer = ""
        while time.monotonic() < deadline:
            try:
                answer = self.sql(query, db="postgres")
            except subprocess.CalledProcessError:
                answer = "(not answering)"
            if answer == expected:
                return
            time.sleep(0.1)
        raise AssertionError(f"{query!r} answered {answer!r}, not {expected!r}, on {self.port}")


def django_env(primary: str, replica: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PYTEST"))}
    env |= {"DATABASE_URL": primary, "DJANGO_SETTINGS_MODULE": "sahayata.settings"}
    if replica:
        env["DATABASE_REPLICA_URL"] = replica
    return env


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=check,
        capture_output=True,
        text=True,
    )


def drive(step: str, *, env: dict[str, str], **params: Any) -> Any:
    """Run one step of tests/scale/driver.py in a fresh Django process; its JSON answer."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "tests" / "scale" / "driver.py"), step, json.dumps(params)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise AssertionError(f"driver {step} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
