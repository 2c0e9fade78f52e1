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
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sahayata.applications.models import Application
from sahayata.audit.models import AuditEvent
from sahayata.catalogue.models import FeeHead
from sahayata.catalogue.selectors import service_current_version
from sahayata.catalogue.services import service_publish
from sahayata.core import dialect
from sahayata.people.tokens import api_token_create
from tests.factories.applications import counter
from tests.factories.catalogue import paid_service

pytestmark = pytest.mark.django_db(transaction=True)

# The figure reached in issue 10 (it was 46 before the outbox, then 32, then 28): token
# (with the operator's centre); idempotency insert and answer; BEGIN, the idempotent
# savepoint (released by the COMMIT), COMMIT; service, citizen look-up and registration
# (no savepoint of its own inside the API's; its audit event goes in the submission's
# audit insert); holidays; number,
# application, fee line, history, rollup event, notification; and the ledger's statements
# for one hold, which differ by database (SQLite: lock, insert, two updates, the history's
# audit event; PostgreSQL: the prepared lock, the prepared data-modifying WITH and the
# audit COPY). The published version and the account ids are kept in the process
# (core.memo): they never change once written.
STATEMENTS = {"sqlite": 21, "postgresql": 19}
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
        return _submit(client, at, service, n)

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
    # Each new citizen's registration is audited, in the submission's audit insert.
    assert AuditEvent.objects.filter(action="citizen.register").count() == 4
    assert max(counts) == STATEMENTS[connection.vendor], "\n".join(statements)


def _submit(client: Client, at: Any, service: Any, n: int) -> Any:
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


def _fee_republished(service: Any, amount_paise: int) -> None:
    FeeHead.objects.filter(service=service, code="fee").update(amount_paise=amount_paise)
    service_publish(service=service)


def test_a_new_published_fee_is_charged_by_the_next_submission_despite_the_memo() -> None:
    """The published version is kept per process (core.memo) by its number; the service
    row, read on every submission, names the current number, so a publication is seen at
    once, by this process and by any other."""
    at = counter(amount_paise=1_000_000)
    service = paid_service(amount_paise=4_000)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=at.operator)}")
    assert _submit(client, at, service, 1).json()["fee_paise"] == 4_000
    assert _submit(client, at, service, 2).json()["fee_paise"] == 4_000  # from the memo
    _fee_republished(service, 6_000)
    answer = _submit(client, at, service, 3).json()
    assert answer["fee_paise"] == 6_000
    application = Application.objects.get(number=answer["application_no"])
    assert (application.service_version, application.fee_paise) == (2, 6_000)


def test_a_version_read_in_a_rolled_back_publication_is_not_kept() -> None:
    """A version is kept only once the transaction that read it commits: a publication
    rolled back leaves nothing that a later version with the same number could hide behind."""
    service = paid_service(amount_paise=4_000)

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        _fee_republished(service, 7_000)
        service.refresh_from_db()
        assert service_fee_of(service) == 7_000
        raise Undone
    service.refresh_from_db()
    assert service.current_version == 1
    _fee_republished(service, 9_000)
    service.refresh_from_db()
    assert service.current_version == 2
    assert service_fee_of(service) == 9_000


def service_fee_of(service: Any) -> int:
    heads = service_current_version(service).definition["fee_heads"]
    return sum(int(head["amount_paise"]) for head in heads)


def test_a_centre_wallet_id_is_kept_per_centre() -> None:
    """The account ids kept by hold_accounts are per centre: a second centre's submission
    holds its fee in its own wallet, not in the first one's."""
    first, second = counter(amount_paise=1_000_000), counter(amount_paise=1_000_000)
    service = paid_service(amount_paise=4_000)
    for at, n in ((first, 1), (first, 2), (second, 3), (second, 4)):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=at.operator)}")
        assert _submit(client, at, service, n).status_code == 201
    for at in (first, second):
        at.wallet.refresh_from_db()
        assert at.wallet.debits_pending == 8_000
