"""The router's choices, on either database: only marked reads may go to the replica, never
inside a transaction on the primary, never while a user who has just written is pinned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from multidb.middleware import PinningRouterMiddleware
from multidb.pinning import pin_this_thread, unpin_this_thread, use_primary_db

from sahayata.core import dbrouter
from sahayata.core.dbrouter import ReplicaRouter, replica_read, replica_reads
from sahayata.dburl import parse_replica_url
from sahayata.people.models import Role, User
from sahayata.site.replica import AuditorReplicaMiddleware
from sahayata.transparency import selectors as transparency
from sahayata.transparency.models import Milestone

router = ReplicaRouter()


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if DATABASE_REPLICA_URL were set (the real standby is in test_replica.py)."""
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
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
