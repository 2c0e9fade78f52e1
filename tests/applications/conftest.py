"""Fixtures of the applications tests. After every test the ledger's invariants must hold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from sahayata.notifications.backends import MemorySmsBackend


def _uses_db(request: pytest.FixtureRequest) -> str | None:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "live_server" in names or "transactional_db" in names:
        return "transactional_db"
    if marker is not None:
        return "transactional_db" if marker.kwargs.get("transaction") else "db"
    return "db" if "db" in names else None


@pytest.fixture(autouse=True)
def _ledger_holds_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Runs the wallet's ``ledger_check`` after the test, before its database goes away."""
    db_fixture = _uses_db(request)
    if db_fixture is not None:
        request.getfixturevalue(db_fixture)  # set up first, so torn down after us
    yield
    if db_fixture is None:
        return
    from django.core.management import call_command

    call_command("ledger_check", verbosity=0)  # raises (the test errors) if an invariant fails


@pytest.fixture(autouse=True)
def _quiet_side_effects(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """SMS kept in memory, uploads in a temp dir (tests/settings.py makes adapters instant)."""
    monkeypatch.setattr(
        settings,
        "SAHAYATA_SMS_BACKEND",
        "sahayata.notifications.backends.MemorySmsBackend",
        raising=False,
    )
    monkeypatch.setattr(settings, "MEDIA_ROOT", str(tmp_path), raising=False)
    MemorySmsBackend.outbox = []
