"""Insecure defaults are refused: DEBUG is off unless asked for, and with it off no process
starts with a development key, a short Aadhaar key or no ALLOWED_HOSTS; the production
profile passes ``check --deploy`` without a warning; the demo loader and the simulator
run only on a simulated deployment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.profile import manage as _manage
from tests.deploy.profile import production_env as _production_env


@pytest.mark.parametrize(
    ("unset", "extra", "words"),
    [
        ("SECRET_KEY", {}, "SECRET_KEY is the development key"),
        ("SAHAYATA_AADHAAR_HMAC_KEY", {}, "SAHAYATA_AADHAAR_HMAC_KEY is the development key"),
        ("", {"SAHAYATA_AADHAAR_HMAC_KEY": "x" * 31}, "shorter than 32 bytes"),
        ("ALLOWED_HOSTS", {}, "ALLOWED_HOSTS is not set"),
    ],
)
def test_without_debug_a_development_setting_stops_any_process(
    tmp_path: Path, unset: str, extra: dict[str, str], words: str
) -> None:
    env = _production_env(tmp_path, **extra)
    env.pop(unset, None)
    # DEBUG is not in the environment at all: off is the default.
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Sahayata refuses to start in production" in result.stderr
    assert words in result.stderr


def test_the_production_profile_passes_check_deploy_without_a_warning(tmp_path: Path) -> None:
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # Each setting behind the warnings W004, W008, W012 and W016 is on, from the defaults.
    probe = _manage(
        _production_env(tmp_path),
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_PROXY_SSL_HEADER, s.SAHAYATA_SIMULATED)",
    )
    assert probe.stdout.split() == [
        "31536000",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "False",
    ], probe.stderr


def test_a_loopback_trial_on_plain_http_turns_tls_off_explicitly(tmp_path: Path) -> None:
    env = _production_env(tmp_path, SAHAYATA_HTTPS="0")
    result = _manage(env, "check", "--deploy")
    for warning in ("W004", "W008", "W012", "W016"):
        assert warning in result.stdout + result.stderr


@pytest.mark.parametrize("command", [("seed_demo", "--quiet"), ("simulate", "--days", "1")])
def test_demo_data_and_the_simulator_refuse_a_real_deployment(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = _manage(_production_env(tmp_path), *command)
    assert result.returncode != 0
    assert "SAHAYATA_SIMULATED=1" in result.stderr
    assert "CommandError" in result.stderr
