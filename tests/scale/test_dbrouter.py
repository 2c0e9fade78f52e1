"""The router's choices, on either database: only marked reads may go to the replica, never
inside a transaction on the primary, never while a user who has just written is pinned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from multidb.middleware import PinningRouterMiddleware
from multidb.pinning import pin_this_thread, unpin_this_thread, use_primary_db

from sahayata.core import dbrouter
from sahayata.core.dbrouter import ReplicaRouter, replica_read, replica_reads
from sahayata.dburl import parse_replica_url
from sahayata.people.models import Role, User
from sahayata.people.tokens import api_token_create
from sahayata.site.replica import AuditorReplicaMiddleware
from sahayata.transparency import selectors as transparency
from sahayata.transparency.models import Milestone
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory
from tests.factories.wallet import funded_wallet

router = ReplicaRouter()


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if DATABASE_REPLICA_URL were set, with a replica within the lag limit (the real
    standby is in test_replica.py)."""
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    monkeypatch.setattr(dbrouter, "replica_on_time", lambda: True)
    unpin_this_thread()
    yield
    unpin_this_thread()


def test_without_a_replica_everything_reads_the_primary() -> None:
    with replica_reads() as alias:
        assert alias == "default"
        assert router.db_for_read(Milestone) == "default"
    assert transparency.milestones().db == "default"


def test_unmarked_reads_and_all_writes_stay_on_the_primary(replica: None) -> None:
    assert router.db_for_read(Milestone) is None  # Django's default: the primary
    with replica_reads():
        assert router.db_for_write(Milestone) == "default"
    assert router.allow_migrate("replica", "transparency") is False
    assert router.allow_migrate("default", "transparency") is True


def test_marked_reads_go_to_the_replica(replica: None) -> None:
    with replica_reads() as alias:
        assert alias == "replica"
        assert router.db_for_read(Milestone) == "replica"
    # A lazy QuerySet a marked selector returns is bound to the replica at the call.
    assert transparency.milestones().db == "replica"


@pytest.mark.django_db
def test_inside_a_transaction_marked_reads_use_the_primary(replica: None) -> None:
    # A write, a SELECT … FOR UPDATE or a number drawn from a counter row runs in a
    # transaction on the primary; a read in it must see the same rows.
    with transaction.atomic(), replica_reads() as alias:
        assert alias == "default"
        assert router.db_for_read(Milestone) == "default"


def test_a_pinned_thread_reads_the_primary(replica: None) -> None:
    with use_primary_db, replica_reads():
        assert router.db_for_read(Milestone) == "default"
    pin_this_thread()
    assert transparency.milestones().db == "default"


def _alias_seen(request: HttpRequest) -> HttpResponse:
    with replica_reads() as alias:
        return HttpResponse(alias)


def test_a_user_who_has_just_written_reads_the_primary_for_a_while(replica: None) -> None:
    middleware = PinningRouterMiddleware(_alias_seen)
    factory = RequestFactory()
    wrote = middleware(factory.post("/counter/"))
    cookie = wrote.cookies["sahayata_primary"]
    assert int(cookie["max-age"]) == 15 and cookie["httponly"]
    after = factory.get("/wallet/statement/")
    after.COOKIES["sahayata_primary"] = cookie.value
    assert middleware(after).content == b"default"
    assert middleware(factory.get("/wallet/statement/")).content == b"replica"


@pytest.mark.parametrize(
    ("role", "method", "expected"),
    [
        (Role.AUDITOR, "get", "replica"),
        (Role.AUDITOR, "post", None),
        (Role.OPERATOR, "get", None),
    ],
)
def test_the_auditor_pages_read_the_replica(
    replica: None, role: str, method: str, expected: str | None
) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(router.db_for_read(Milestone)))

    request = getattr(RequestFactory(), method)("/inbox/")
    request.user = User(username="someone", role=role)
    assert AuditorReplicaMiddleware(view)(request).content.decode() == str(expected)


def _measured(monkeypatch: pytest.MonkeyPatch, lag: Any) -> list[str]:
    """The replica answers ``lag`` (seconds, None, or an exception to raise); the calls."""
    calls: list[str] = []

    def measure(alias: str) -> float | None:
        calls.append(alias)
        if isinstance(lag, Exception):
            raise lag
        return lag

    monkeypatch.setattr(dbrouter.dialect, "replica_lag_seconds", measure)
    monkeypatch.setattr(dbrouter, "_lag_seen", None)
    return calls


@pytest.mark.parametrize(
    ("lag", "on_time", "shown"),
    [
        (0.4, True, 0.4),
        (10.0, True, 10.0),  # at the limit: still served
        (10.6, False, 10.6),
        (None, False, None),  # behind, and cannot say by how much
        (OperationalError("connection refused"), False, None),  # the standby is down
    ],
)
def test_a_replica_past_the_lag_limit_serves_no_reads_and_is_not_ready(
    monkeypatch: pytest.MonkeyPatch, settings: Any, lag: Any, on_time: bool, shown: Any
) -> None:
    settings.SAHAYATA_REPLICA_LAG_LIMIT_SECONDS = 10
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    _measured(monkeypatch, lag)
    ready, detail = dbrouter.replica_lag_check()
    assert ready is on_time
    assert detail["lag_seconds"] == shown and detail["limit_seconds"] == 10
    assert detail["reads"] == ("replica" if on_time else "default")
    assert ("error" in detail) is isinstance(lag, Exception)
    with replica_reads() as alias:
        assert alias == ("replica" if on_time else "default")
        assert router.db_for_read(Milestone) == alias


def test_the_lag_is_measured_at_most_once_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    calls = _measured(monkeypatch, 0.0)
    for _ in range(50):
        with replica_reads() as alias:
            assert alias == "replica"
    assert calls == ["replica"]
    seen = dbrouter._lag_seen
    assert seen is not None
    monkeypatch.setattr(dbrouter, "_lag_seen", (seen[0] - 1.5, *seen[1:]))
    assert dbrouter.read_alias() == "replica" and calls == ["replica", "replica"]


@pytest.mark.django_db(transaction=True)  # as served: no test transaction around the request
@pytest.mark.parametrize(
    ("role", "method", "replica_reads_seen"),
    [
        (Role.AUDITOR, "get", True),
        (Role.AUDITOR, "post", False),
        (Role.FINANCE, "get", False),
        (Role.OPERATOR, "get", False),
    ],
)
def test_the_auditors_api_reads_go_to_the_replica(
    replica: None,
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    method: str,
    replica_reads_seen: bool,
) -> None:
    """An auditor's bearer token on a read-only endpoint: the reads after the token's own
    lookup are the replica's; a POST, and other roles' reads, stay on the primary."""
    centre = CentreFactory()
    funded_wallet(centre=centre, amount_paise=50_000)
    user = UserFactory(role=role, centre=centre if role == Role.OPERATOR else None)
    token = api_token_create(user=user)
    chosen: list[str | None] = []
    choose = ReplicaRouter.db_for_read

    def spy(self: ReplicaRouter, model: Any, **hints: Any) -> str | None:
        chosen.append(choose(self, model, **hints))
        return None  # no real standby here: every read runs on the test database

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        response = client.get(f"/api/v1/centres/{centre.code}/wallet", **auth)
        assert response.status_code == 200, response.content
    else:
        response = client.post(
            f"/api/v1/centres/{centre.code}/wallet/topups",
            data={"amount_paise": 100, "bank_reference": "REPLICA-1"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k1",
            **auth,
        )
        assert response.status_code in (403, 404), response.content
    assert ("replica" in chosen) is replica_reads_seen, chosen
    # Outside the request nothing is left switched on.
    assert router.db_for_read(Milestone) is None


def test_marking_keeps_the_function() -> None:
    @replica_read
    def answer(*, n: int) -> int:
        """Doc."""
        return n * 2

    assert answer(n=21) == 42 and answer.__doc__ == "Doc."


def test_the_replica_url_is_a_postgresql_test_mirror() -> None:
    replica = parse_replica_url("postgres://u:p@10.0.0.2:5432/sahayata", base_dir=Path("/x"))
    assert replica["HOST"] == "10.0.0.2" and replica["TEST"] == {"MIRROR": "default"}
    with pytest.raises(ValueError, match="PostgreSQL"):
        parse_replica_url("sqlite:///replica.sqlite3", base_dir=Path("/x"))
