"""The Idempotency-Key mechanism that every creating or money-moving endpoint reuses.

The record is inserted in the *same* transaction as the request's effect. A concurrent
request with the same key blocks on the unique index until the first commits (PostgreSQL)
or on the write lock (SQLite), then replays the stored result: exactly one effect per key.
A request that fails rolls back its record too, so a retry after fixing the cause is free
to run. Only successful results are stored.
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
from sahayata.core.errors import Conflict, DomainError, PermissionDenied

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


def _replay(record: IdempotencyRecord, print_: str) -> tuple[int, Any]:
    if record.fingerprint != print_:
        raise IdempotencyKeyReused()
    return record.status_code, record.response_body


def run_idempotent(
    request: HttpRequest,
    payload: Any,
    handler: Callable[[], tuple[int, Any]],
    *,
    required: bool = True,
) -> tuple[int, Any]:
    """Run ``handler`` at most once per (user, Idempotency-Key).

    ``handler`` returns ``(status_code, json_body)`` and runs inside the transaction
    that stores the record. Side effects outside the database belong in
    ``transaction.on_commit``.
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
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, key=key, fingerprint=print_, status_code=0, response_body={}
            )
            status_code, body = handler()
            # Stored as the JSON the client receives, and answered from that very JSON, so
            # that a replay is identical to the first answer (datetimes, UUIDs, schemas).
            stored = json.loads(json.dumps(body, cls=NinjaJSONEncoder))
            record.status_code = status_code
            record.response_body = stored
            record.save(update_fields=["status_code", "response_body"])
            return status_code, stored
    except IntegrityError:
        # Another request with this key committed first: answer with its result.
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        return _replay(existing, print_)
