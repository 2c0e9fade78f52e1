"""The Idempotency-Key mechanism that every creating or money-moving endpoint reuses.

The record is inserted in the *same* transaction as the request's effect. A concurrent
request with the same key blocks on the unique index until the first commits (PostgreSQL)
or on the write lock (SQLite), then replays the stored result: exactly one effect per key.

Refusals are results too, as at Stripe: when the handler refuses with a ``DomainError``
(``insufficient_funds``, ``not_found``, a state conflict…), its effect is rolled back to a
savepoint and the refusal is stored under the key, so the same key and body replay that
refusal, even once its cause is gone, and another body is ``idempotency_key_reused``. A
client that tops up and tries again uses a new key. Nothing is stored when the request
never ran (a bad or missing key, a body the schema refused) or failed unexpectedly (a 5xx,
a database error): those keys stay free. Nor is ``busy`` stored: a lock race lost to
another transaction is no answer to the request, so the whole transaction (the record
and the effect) is run again a few times (``core.retry``), and past that the ``409 busy``
leaves the key free for the client to send again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.responses import NinjaJSONEncoder

from sahayata.api.models import IdempotencyRecord
from sahayata.core.errors import Busy, Conflict, DomainError, PermissionDenied
from sahayata.core.retry import retried_on_contention
from sahayata.core.savepoints import refusals_undone_here

HEADER = "Idempotency-Key"


class IdempotencyKeyRequired(DomainError):
    code = "idempotency_key_required"
    status = 400
    default_message = _("This request needs an Idempotency-Key header.")


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    status = 400
    default_message = _("The Idempotency-Key must be 1 to 255 printable ASCII characters.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used with a different request.")


def request_key(request: HttpRequest, *, required: bool = True) -> str | None:
    key = request.headers.get(HEADER)
    if key is None or key == "":
        if required:
            raise IdempotencyKeyRequired()
        return None
    if len(key) > 255 or not all(32 <= ord(ch) < 127 for ch in key):
        raise IdempotencyKeyInvalid()
    return key


def fingerprint(request: HttpRequest, payload: Any) -> str:
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": payload},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class StoredRefusal(DomainError):
    """The refusal stored under a key, answered again as it was first answered."""

    @classmethod
    def of(cls, record: IdempotencyRecord) -> StoredRefusal:
        error = record.response_body["error"]
        return cls(
            error["message"],
            code=error["code"],
            status=record.status_code,
            details=error["details"],
        )


def _refusal_body(refusal: DomainError) -> dict[str, Any]:
    body = {"code": refusal.code, "message": str(refusal.message), "details": refusal.details}
    return {"error": json.loads(json.dumps(body, cls=NinjaJSONEncoder))}


def _replay(record: IdempotencyRecord, print_: str) -> tuple[int, Any]:
    if record.fingerprint != print_:
        raise IdempotencyKeyReused()
    if record.status_code >= 400:
        raise StoredRefusal.of(record)
    return record.status_code, record.response_body


def run_idempotent(
    request: HttpRequest,
    payload: Any,
    handler: Callable[[], tuple[int, Any]],
    *,
    required: bool = True,
) -> tuple[int, Any]:
    """Run ``handler`` at most once per (user, Idempotency-Key).

    ``handler`` returns ``(status_code, json_body)`` or raises a ``DomainError``, and runs
    inside the transaction that stores the record (the refusal too). Side effects outside
    the database belong in ``transaction.on_commit``.
    """
    key = request_key(request, required=required)
    if key is None:
        with transaction.atomic():
            return handler()
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied()
    print_ = fingerprint(request, payload)
    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is not None:
        return _replay(existing, print_)
    try:
        record, refusal = _run_once(user, key, print_, handler)
    except IntegrityError:
        # Another request with this key committed first: answer with its result.
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        return _replay(existing, print_)
    if refusal is not None:
        raise refusal  # after the commit, so that the refusal stays stored
    return record.status_code, record.response_body


@retried_on_contention
def _run_once(
    user: Any, key: str, print_: str, handler: Callable[[], tuple[int, Any]]
) -> tuple[IdempotencyRecord, DomainError | None]:
    """The record and the effect in one transaction: the answer or the refusal stored."""
    refusal: DomainError | None = None
    with transaction.atomic():
        record = IdempotencyRecord.objects.create(
            user=user, key=key, fingerprint=print_, status_code=0, response_body={}
        )
        try:
            with refusals_undone_here():  # a savepoint: a refusal undoes only the effect
                status_code, body = handler()
        except Busy:
            raise  # no answer: the record goes too, and the transaction is run again
        except DomainError as refused:
            refusal = refused
            record.status_code = refused.status
            record.response_body = _refusal_body(refused)
        else:
            # Stored as the JSON the client receives, and answered from that very JSON,
            # so that a replay is identical to the first answer (datetimes, UUIDs).
            record.status_code = status_code
            record.response_body = json.loads(json.dumps(body, cls=NinjaJSONEncoder))
        record.save(update_fields=["status_code", "response_body"])
    return record, refusal
