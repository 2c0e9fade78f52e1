"""The load test's ceiling: a minimal durable write through the real stack.

``POST /api/v1/bench/ceiling`` passes the same server, middleware and bearer-token auth as
every endpoint, then makes one insert and one update in one committed transaction (an
idempotency record, as a money request's own record is written) and answers 201. It is
mounted only when ``SAHAYATA_BENCH_CEILING`` is on (``make loadtest``), never by default.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from sahayata.api.auth import bearer
from sahayata.api.models import IdempotencyRecord

router = Router(tags=["bench"])


@router.post("/bench/ceiling", auth=bearer, response={201: dict[str, Any]}, include_in_schema=False)
def ceiling(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    with transaction.atomic():
        record = IdempotencyRecord.objects.create(
            user=request.auth,  # type: ignore[attr-defined] # ninja sets it: the token's user
            key=f"ceiling-{uuid.uuid4()}",
            fingerprint="",
            status_code=0,
            response_body={},
        )
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=201)
    return 201, {"id": record.pk}
