"""The Idempotency-Key mechanism (run_idempotent) that every creating endpoint reuses."""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from ninja import Schema

from sahayata.api.idempotency import run_idempotent
from sahayata.api.models import IdempotencyRecord
from sahayata.core.errors import Busy, Conflict, DomainError, InvalidInput
from sahayata.core.retry import ATTEMPTS
from sahayata.people.models import Citizen, User
from sahayata.people.services import citizen_register
from tests.factories import UserFactory

factory = RequestFactory()


class Out(Schema):
    at: datetime.datetime
    amount_paise: int


def _request(user: User, key: str | None, path: str = "/api/v1/citizens") -> Any:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    request = factory.post(path, **headers)
    request.user = user
    return request


def _register(payload: dict[str, str]) -> tuple[int, dict[str, Any]]:
    citizen = citizen_register(name_en=payload["name"], mobile=payload["mobile"])
    return 201, {"id": citizen.pk, "name": citizen.name_en}


def _call(user: User, key: str | None, payload: dict[str, str], **kw: Any) -> tuple[int, Any]:
    return run_idempotent(_request(user, key, **kw), payload, lambda: _register(payload))


@pytest.mark.django_db
def test_same_key_same_body_replays_without_a_second_effect() -> None:
    user = UserFactory(role="operator")
    payload = {"name": "Rina Das", "mobile": "9830012345"}
    first = _call(user, "key-1", payload)
    again = _call(user, "key-1", payload)
    assert first == again == (201, {"id": Citizen.objects.get().pk, "name": "Rina Das"})
    assert Citizen.objects.count() == 1


@pytest.mark.django_db
def test_same_key_different_body_is_409() -> None:
    user = UserFactory(role="operator")
    _call(user, "key-1", {"name": "Rina Das", "mobile": "9830012345"})
    with pytest.raises(Conflict) as caught:
        _call(user, "key-1", {"name": "Rina Das", "mobile": "9830099999"})
    assert (caught.value.code, caught.value.status) == ("idempotency_key_reused", 409)
    # The same key on another path is another request, and so also a reuse.
    with pytest.raises(Conflict):
        _call(user, "key-1", {"name": "Rina Das", "mobile": "9830012345"}, path="/api/v1/other")
    assert Citizen.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_scoped_to_the_user() -> None:
    payload = {"name": "Rina Das", "mobile": "9830012345"}
    _call(UserFactory(role="operator"), "shared", payload)
    _call(UserFactory(role="operator"), "shared", payload)
    assert Citizen.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "idempotency_key_required"),
        ("", "idempotency_key_required"),
        ("x" * 256, "idempotency_key_invalid"),
        ("ключ", "idempotency_key_invalid"),
        ("tab\there", "idempotency_key_invalid"),
    ],
)
def test_missing_or_invalid_key_is_400_and_changes_nothing(key: str | None, code: str) -> None:
    user = UserFactory(role="operator")
    with pytest.raises(DomainError) as caught:
        _call(user, key, {"name": "Rina Das", "mobile": "9830012345"})
    assert (caught.value.code, caught.value.status) == (code, 400)
    assert not Citizen.objects.exists() and not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_longest_valid_key_is_accepted() -> None:
    user = UserFactory(role="operator")
    key = "".join(chr(32 + i % 95) for i in range(255))
    assert _call(user, key, {"name": "Rina Das", "mobile": "9830012345"})[0] == 201


@pytest.mark.django_db
def test_a_refusal_is_stored_replayed_for_the_same_body_and_reused_for_another() -> None:
    user = UserFactory(role="operator")
    with pytest.raises(InvalidInput) as first:
        _call(user, "refused", {"name": "Rina Das", "mobile": "12"})
    record = IdempotencyRecord.objects.get()
    assert record.status_code == 422
    assert record.response_body["error"]["code"] == first.value.code
    # The same request again: the same refusal, code, status, message and details.
    with pytest.raises(DomainError) as again:
        _call(user, "refused", {"name": "Rina Das", "mobile": "12"})
    assert (again.value.code, again.value.status, str(again.value.message)) == (
        first.value.code,
        first.value.status,
        str(first.value.message),
    )
    assert again.value.details == json.loads(json.dumps(first.value.details, default=str))
    # Another body under the refused key is a reuse, not a second chance.
    with pytest.raises(Conflict) as reused:
        _call(user, "refused", {"name": "Rina Das", "mobile": "9830012345"})
    assert reused.value.code == "idempotency_key_reused"
    assert not Citizen.objects.exists()
    # A new key is free to run.
    assert _call(user, "fixed", {"name": "Rina Das", "mobile": "9830012345"})[0] == 201


@pytest.mark.django_db
def test_a_refusal_rolls_back_the_effect_but_keeps_the_record() -> None:
    user = UserFactory(role="operator")

    def register_then_refuse() -> tuple[int, Any]:
        citizen_register(name_en="Rina Das", mobile="9830012345")
        raise Conflict(code="insufficient_funds")

    for _ in range(2):
        with pytest.raises(DomainError) as caught:
            run_idempotent(_request(user, "half"), {"a": 1}, register_then_refuse)
        assert (caught.value.status, caught.value.code) == (409, "insufficient_funds")
    assert not Citizen.objects.exists()
    assert IdempotencyRecord.objects.get().status_code == 409


@pytest.mark.django_db
def test_an_unexpected_error_stores_nothing_so_a_retry_may_run() -> None:
    user = UserFactory(role="operator")

    def crash() -> tuple[int, Any]:
        citizen_register(name_en="Rina Das", mobile="9830012345")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        run_idempotent(_request(user, "crash"), {"a": 1}, crash)
    assert not IdempotencyRecord.objects.exists() and not Citizen.objects.exists()
    assert run_idempotent(_request(user, "crash"), {"a": 1}, lambda: (201, {"ok": 1}))[0] == 201


@pytest.mark.django_db
def test_a_lost_lock_race_is_run_again_and_busy_is_never_stored() -> None:
    """``busy`` (a deadlock or serialization failure that a service inside the handler
    lost) is no answer: the record and the effect are run again, and past the last attempt
    the 409 busy leaves the key free, so the client's retry with it runs the request."""
    user = UserFactory(role="operator")
    races = {"lost": 1, "calls": 0}

    def racing() -> tuple[int, Any]:
        races["calls"] += 1
        citizen_register(name_en="Rina Das", mobile=f"98300{races['calls']:05d}")
        if races["calls"] <= races["lost"]:
            raise Busy(details={"attempts": 1})
        return 201, {"calls": races["calls"]}

    assert run_idempotent(_request(user, "race"), {"a": 1}, racing) == (201, {"calls": 2})
    assert Citizen.objects.count() == 1  # the lost attempt's effect was rolled back
    races.update(lost=100, calls=0)
    with pytest.raises(Busy) as caught:
        run_idempotent(_request(user, "race-2"), {"a": 1}, racing)
    assert (caught.value.status, caught.value.code) == (409, "busy")
    assert caught.value.details == {"attempts": ATTEMPTS}
    assert races["calls"] == ATTEMPTS
    assert not IdempotencyRecord.objects.filter(key="race-2").exists()
    races.update(lost=0)
    assert run_idempotent(_request(user, "race-2"), {"a": 1}, racing)[0] == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_have_exactly_one_effect() -> None:
    user = UserFactory(role="operator")
    payload = {"name": "Rina Das", "mobile": "9830012345"}
    barrier = threading.Barrier(6)
    results: list[Any] = []

    def attempt() -> None:
        try:
            barrier.wait()
            results.append(_call(user, "race", payload))
        except Exception as exc:  # recorded, then asserted on below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Citizen.objects.count() == 1
    citizen = Citizen.objects.get()
    for result in results:
        # Either the replayed result or the documented in-progress conflict, never a second.
        if isinstance(result, Conflict):
            assert result.code == "idempotency_key_in_progress"
        else:
            assert result == (201, {"id": citizen.pk, "name": "Rina Das"})


@pytest.mark.django_db
def test_replay_is_identical_to_the_first_answer_for_datetimes_and_schemas() -> None:
    user = UserFactory(role="operator")
    at = datetime.datetime(2026, 3, 31, 17, 45, 12, 345000, tzinfo=datetime.UTC)

    def handler() -> tuple[int, Any]:
        return 201, {"id": uuid.UUID(int=7), "at": at, "out": Out(at=at, amount_paise=165000)}

    first = run_idempotent(_request(user, "k"), {"a": 1}, handler)
    again = run_idempotent(_request(user, "k"), {"a": 1}, handler)
    assert first == again
    assert first[1]["out"] == {"at": "2026-03-31T17:45:12.345Z", "amount_paise": 165000}
    assert first[1]["id"] == str(uuid.UUID(int=7))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_share_one_refusal() -> None:
    user = UserFactory(role="operator")
    barrier = threading.Barrier(6)
    runs: list[int] = []
    results: list[Any] = []

    def refuse() -> tuple[int, Any]:
        runs.append(1)
        citizen_register(name_en="Rina Das", mobile="9830012345")
        raise Conflict(code="insufficient_funds")

    def attempt() -> None:
        try:
            barrier.wait()
            run_idempotent(_request(user, "race-refused"), {"a": 1}, refuse)
        except DomainError as exc:
            results.append((exc.status, exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(409, "insufficient_funds")] * 6
    assert len(runs) == 1  # the others waited for the first and replayed its refusal
    assert IdempotencyRecord.objects.get().status_code == 409
    assert not Citizen.objects.exists()
