"""The production profile's environment and ``manage.py`` in it, for the deploy tests: the
process environment without anything development-like, with real keys, a database and a
var directory of the test's own."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "sahayata.example.gov.in"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """DEBUG off by default (not set at all), no SAHAYATA_* or session setting from the
    suite, real keys; ``extra`` overrides (an empty value removes the variable)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEBUG", "SAHAYATA_", "SECRET_KEY", "ALLOWED_HOSTS", "SESSION"))
        # the suite's own switch for Playwright's event loop; a deployment never sets it
        and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(40),
        SAHAYATA_AADHAAR_HMAC_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=HOST,
        SAHAYATA_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        DJANGO_SETTINGS_MODULE="sahayata.settings",
    )
    for name, value in extra.items():
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
