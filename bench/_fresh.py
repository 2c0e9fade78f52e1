"""A fresh PostgreSQL database for a benchmark that writes its own history."""

from __future__ import annotations


def postgres_reset(url: str) -> None:
    """Drop and create the database ``url`` names; refuse unless its name says ``bench``."""
    import psycopg

    name = url.rsplit("/", 1)[-1]
    if "bench" not in name:
        raise SystemExit(f"{name}: a benchmark database's name must contain 'bench'")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
