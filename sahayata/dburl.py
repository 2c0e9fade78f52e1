"""Turn DATABASE_URL into Django's DATABASES entry.

SQLite is the embedded default (WAL, immediate write transactions, a busy timeout);
``postgres://user:pass@host:port/name`` selects PostgreSQL through psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

SQLITE_INIT = ";".join(
    [
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=10000",
        "PRAGMA temp_store=MEMORY",
        "PRAGMA cache_size=-65536",
        "PRAGMA mmap_size=268435456",
    ]
)


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute/path.db
        raw = unquote(parsed.path)
        path = Path(raw[1:]) if raw.startswith("/") and not raw.startswith("//") else Path(raw)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                "init_command": SQLITE_INIT,
                # Take the write lock at BEGIN so two writers queue instead of failing
                # with "database is locked" when a reader upgrades.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


def parse_replica_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    """DATABASE_REPLICA_URL: a streaming standby of the PostgreSQL primary.

    In tests it mirrors the primary (Django then opens no test database of its own for it).
    """
    replica = parse_database_url(url, base_dir=base_dir)
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("DATABASE_REPLICA_URL must name a PostgreSQL standby (postgres://…)")
    replica["TEST"] = {"MIRROR": "default"}
    return replica
