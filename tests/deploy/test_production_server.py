"""The production profile, on a real gunicorn: it refuses development settings, answers
its probes, serves collected static files, and logs JSON lines with the request id that
the response carries."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.profile import ROOT, manage, production_env

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # gunicorn on plain http on loopback, no TLS proxy in front: no redirect to https.
    loopback = {"ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "INFO", "SAHAYATA_HTTPS": "0"}
    return production_env(tmp_path, **{**loopback, **extra})


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"DEBUG": "1"}, "DEBUG is on"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"SAHAYATA_AADHAAR_HMAC_KEY": ""}, "SAHAYATA_AADHAAR_HMAC_KEY"),
    ],
)
def test_the_deploy_check_refuses_development_settings(
    tmp_path: Path, override: dict[str, str], words: str
) -> None:
    env = _env(tmp_path, **override)
    result = manage(env, "check", "--deploy", "--fail-level", "ERROR")
    assert result.returncode != 0
    assert words in result.stderr + result.stdout


def test_gunicorn_refuses_to_start_with_the_development_key(tmp_path: Path) -> None:
    env = _env(tmp_path, PORT=str(_free_port()))
    env.pop("SECRET_KEY")
    result = subprocess.run(  # noqa: S603 - the pinned gunicorn, fixed arguments
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--workers", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr + result.stdout


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    env = _env(tmp_path, PORT=str(port))
    for args in (("migrate", "--noinput", "-v0"), ("collectstatic", "--noinput", "-v0")):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - the pinned gunicorn, fixed arguments
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_a_real_gunicorn_serves_probes_static_files_and_request_ids(
    server: tuple[str, Path],
) -> None:
    base, log = server
    status, headers, body = _get(f"{base}/readyz")
    assert status == 200 and json.loads(body)["checks"]["database"] == "ok"
    status, headers, body = _get(f"{base}/healthz", **{"X-Request-ID": "counter-42-abcdef"})
    assert status == 200 and headers["X-Request-ID"] == "counter-42-abcdef"
    status, headers, _ = _get(f"{base}/healthz", **{"X-Request-ID": "bad id;<script>"})
    assert len(headers["X-Request-ID"]) == 32  # a hostile id is replaced, not echoed
    # Collected, hashed and compressed static files, served by whitenoise.
    status, headers, page = _get(f"{base}/dashboard/")
    assert status == 200
    text = page.decode()
    start = text.index("/static/core/site.")
    css = text[start : text.index('"', start)]
    assert css != "/static/core/site.css", "a hashed name from the manifest"
    status, headers, _ = _get(base + css, **{"Accept-Encoding": "gzip"})
    assert status == 200 and "max-age=315360000" in headers.get("Cache-Control", "")
    # Every access log line is JSON with the request id the response carried.
    deadline = time.monotonic() + 10
    while "counter-42-abcdef" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    access = [json.loads(line) for line in log.read_text().splitlines() if '"path"' in line]
    assert {"request_id": "counter-42-abcdef", "path": "/healthz", "status": 200}.items() <= {
        k: v
        for entry in access
        if entry["request_id"] == "counter-42-abcdef"
        for k, v in entry.items()
    }.items()
