"""Test-wide fixtures: the database backend in the header, PostgreSQL-only tests, Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"


def backend_vendor() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {backend_vendor()} ({settings.DATABASES['default']['ENGINE']})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # PostgreSQL-only tests (real concurrency) run in the PostgreSQL pass; on SQLite they are
    # deselected, not skipped, and .ci/run always runs both passes.
    if backend_vendor() == "postgresql":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"Chromium is needed for browser tests at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM use beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="bn-IN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_checks(request: pytest.FixtureRequest) -> Any:
    """axe-core, no sideways scroll and a screenshot for each page a test visits
    (tests/browser_helpers.py)."""
    from tests.browser_helpers import PageChecks

    return PageChecks(test=request.node.name)


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A Bengali page on a 360 px wide phone."""
    from tests.browser_helpers import PHONE

    # Not is_mobile: a mobile viewport widens itself to fit an overflowing page, which would
    # hide the very overflow the checks look for.
    context = browser.new_context(locale="bn-IN", viewport=PHONE, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _log_published_in_tmp(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's heads published outside the database go to a directory of its own:
    ledger_check reads every head it finds there, and another test's are not this ledger's.
    In the environment too, for the servers and workers a test starts."""
    directory = tmp_path / "log-published"
    settings.SAHAYATA_LOG_PUBLISH_DIR = str(directory)
    monkeypatch.setenv("SAHAYATA_LOG_PUBLISH_DIR", str(directory))
    return directory


@pytest.fixture(autouse=True)
def _memos_empty() -> Iterator[None]:
    """Each test starts and ends with empty process memos (``core.memo``): a rolled-back
    test's rows are gone, and on SQLite their ids are given again to the next test's."""
    from sahayata.core.memo import memos_clear

    memos_clear()
    yield
    memos_clear()


@pytest.fixture(autouse=True)
def _audit_rows_flushable(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test's flush deletes every row; audit events refuse deletion by
    trigger (on SQLite: PostgreSQL flushes by TRUNCATE). Remove them first, as the
    database's owner would, before the flush runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker is not None and marker.kwargs.get("transaction")
    )
    if not transactional or backend_vendor() != "sqlite":
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed after us
    yield
    from tests.audit.tamper import audit_rows_clear

    audit_rows_clear()


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Client.force_login`` is a login made in code: for the roles that need a second
    factor it also verifies the session with a confirmed authenticator (made if missing),
    as if the code had been typed. The tests of the second factor (tests/people/
    test_twofactor.py) log in through the forms, where nothing is given."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from sahayata.people import twofactor

        if twofactor.second_factor_required(user):
            device = twofactor.confirmed_totp(user) or TOTPDevice.objects.create(
                user=user, name="test", confirmed=True
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
