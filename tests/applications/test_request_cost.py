"""What a paid submission costs the database: one durable commit and a fixed number of
statements (issue 10). Counted as ``bench/submission.py`` counts them: Django's queries
plus those sent on the driver's own cursor through ``core.dialect``; a durable commit is a
COMMIT or a write made outside any transaction. A regression that adds a read, a write or
a savepoint to the request fails here; ``make bench`` (bench submission) reports the same
figure on the demo data."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sahayata.applications.models import Application
from sahayata.core import dialect
from sahayata.people.tokens import api_token_create
from tests.factories.applications import counter
from tests.factories.catalogue import paid_service

pytestmark = pytest.mark.django_db(transaction=True)

# The figure reached in issue 10 (it was 46 before the outbox, then 32): token; idempotency
# look-up, insert, answer; BEGIN, its savepoint, COMMIT; centre, service, citizen look-up and
# registration (with its audit event); published version, holidays; number, application,
# fee line, history, rollup event, notification; wallet and payee accounts; and the ledger's
# statements for one hold, which differ by database (SQLite: lock, insert, two updates, the
# hold's audit event; PostgreSQL: the prepared lock, the prepared data-modifying WITH
# and the audit COPY).
STATEMENTS = {"sqlite": 28, "postgresql": 26}
WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "WITH", "COPY")


@contextmanager
def driver_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    sent: list[str] = []

    class Counted:
        def __init__(self, cursor: Any) -> None:
            self._cursor = cursor

        def __getattr__(self, name: str) -> Any:
            attribute = getattr(self._cursor, name)
            if name not in ("execute", "executemany", "copy"):
                return attribute

            def counted(sql: Any, *args: Any, **kwargs: Any) -> Any:
                sent.append(str(sql))
                return attribute(sql, *args, **kwargs)

            return counted

    def counted(opened: Callable[[Any], Any]) -> Callable[[Any], Any]:
        @contextmanager
        def counted_cursor(db: Any) -> Iterator[Any]:
            with opened(db) as cursor:
                yield Counted(cursor)

        return counted_cursor

    monkeypatch.setattr(dialect, "_cursor", counted(dialect._cursor))
    monkeypatch.setattr(dialect, "_prepared_cursor", counted(dialect._prepared_cursor))
    yield sent


@contextmanager
def durable_commits() -> Iterator[list[str]]:
    made: list[str] = []
    original = connection._commit

    def counting_commit() -> Any:
        made.append("COMMIT")
        return original()

    def watch(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if not connection.in_atomic_block and sql.lstrip().upper().startswith(WRITE_PREFIXES):
            made.append(sql)
        return execute(sql, *args)

    connection._commit = counting_commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(watch):
            yield made
    finally:
        connection._commit = original  # type: ignore[method-assign]


def test_a_paid_submission_is_one_commit_and_a_fixed_number_of_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = counter(amount_paise=1_000_000)
    service = paid_service(amount_paise=4_000)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=at.operator)}")

    def submit(n: int) -> Any:
        return client.post(
            "/api/v1/applications",
            {
                "centre_code": at.centre.code,
                "service_code": service.code,
                "citizen": {"name": f"Mita Roy {n}", "mobile": f"98300{n:05d}"},
                "fields": {"plot_no": "1234"},
            },
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )

    assert submit(0).status_code == 201  # warm: the token's last-used stamp, the caches
    counts = []
    with driver_statements(monkeypatch) as sent:
        for n in range(1, 4):
            before = len(sent)
            with CaptureQueriesContext(connection) as captured, durable_commits() as commits:
                response = submit(n)
            assert response.status_code == 201, response.content
            statements = [q["sql"] for q in captured.captured_queries] + sent[before:]
            assert len(commits) == 1, commits
            counts.append(len(statements))
    assert Application.objects.count() == 4
    assert max(counts) == STATEMENTS[connection.vendor], "\n".join(statements)
