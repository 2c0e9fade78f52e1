"""Writes of the integrations app: record an adapter call, then make it, outside money.

``adapter_call_record`` runs inside the caller's transaction (the one that holds the fee).
``adapter_call_execute`` and ``adapter_call_check`` talk to the back end with no
transaction open and report what it said; settling money is the caller's job
(``sahayata.applications.dispatch``), under a lock on the call row.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from sahayata.integrations.adapters import (
    AdapterError,
    AdapterResult,
    RemoteStatus,
    adapter_get,
)
from sahayata.integrations.models import AdapterCall

logger = logging.getLogger(__name__)


class Outcome:
    CONFIRMED = "confirmed"  # post the fee
    FAILED = "failed"  # void the fee
    WAITING = "waiting"  # ask again later
    UNKNOWN = "unknown"  # the back end did not answer; ask again later


@dataclass(frozen=True)
class CallReport:
    outcome: str
    external_reference: str = ""
    message: str = ""


def adapter_call_record(
    *,
    adapter_code: str,
    reference: str,
    amount_paise: int,
    payload: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> AdapterCall:
    """Record the intent to call (state pending). Call inside the money transaction."""
    adapter = adapter_get(adapter_code, options=options)
    call, _created = AdapterCall.objects.get_or_create(
        adapter_code=adapter_code,
        reference=reference,
        defaults={
            "amount_paise": amount_paise,
            "payload": payload or {},
            "deadline_at": timezone.now() + dt.timedelta(seconds=adapter.confirm_within_seconds),
        },
    )
    return call


def _report(result: AdapterResult) -> CallReport:
    if result.status == RemoteStatus.CONFIRMED:
        return CallReport(Outcome.CONFIRMED, result.external_reference)
    if result.status == RemoteStatus.PROCESSING:
        return CallReport(Outcome.WAITING, result.external_reference)
    return CallReport(Outcome.FAILED, result.external_reference, result.status)


def _note_attempt(call: AdapterCall, *, error: str = "", accepted_ref: str = "") -> None:
    updates: dict[str, Any] = {"attempts": call.attempts + 1, "last_error": error[:200]}
    if accepted_ref:
        updates["state"] = AdapterCall.State.ACCEPTED
        updates["external_reference"] = accepted_ref
    AdapterCall.objects.filter(pk=call.pk, state__in=["pending", "accepted"]).update(**updates)


def _outside_transactions() -> None:
    """A back end must never be called while one of our transactions holds money locks.

    (The atomic blocks a test case wraps every test in are not ours, and are ignored.)
    """
    connection = transaction.get_connection()
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise RuntimeError("adapter calls run outside transactions")


def adapter_call_execute(*, call: AdapterCall, options: dict[str, Any] | None = None) -> CallReport:
    """Submit the call to its back end (idempotent by reference) and report the answer."""
    _outside_transactions()
    adapter = adapter_get(call.adapter_code, options=options)
    try:
        result = adapter.submit(
            reference=call.reference, amount_paise=call.amount_paise, payload=call.payload
        )
    except AdapterError as exc:
        logger.warning("adapter %s: %s", call.adapter_code, exc)
        _note_attempt(call, error=f"{type(exc).__name__}: {exc}")
        return CallReport(Outcome.UNKNOWN, message=str(exc))
    report = _report(result)
    _note_attempt(
        call,
        accepted_ref=result.external_reference if report.outcome == Outcome.WAITING else "",
    )
    return report


def adapter_call_check(*, call: AdapterCall, cancel: bool = False) -> CallReport:
    """Ask the back end what became of ``call``; with ``cancel``, cancel it if still open.

    A reference the back end never saw is a failure only once we know our submit cannot
    still arrive, i.e. when cancelling (after a timeout or past the deadline).
    """
    _outside_transactions()
    adapter = adapter_get(call.adapter_code)
    try:
        result = (
            adapter.cancel(reference=call.reference)
            if cancel
            else adapter.status(reference=call.reference)
        )
    except AdapterError as exc:
        _note_attempt(call, error=f"{type(exc).__name__}: {exc}")
        return CallReport(Outcome.UNKNOWN, message=str(exc))
    if result.status == RemoteStatus.NOT_FOUND and not cancel:
        return CallReport(Outcome.UNKNOWN, message="not_found")
    return _report(result)


def adapter_call_complete(*, call: AdapterCall, report: CallReport) -> None:
    """Mark ``call`` done. Call inside the settling transaction, with the row locked."""
    call.state = (
        AdapterCall.State.CONFIRMED
        if report.outcome == Outcome.CONFIRMED
        else AdapterCall.State.FAILED
    )
    if report.external_reference:
        call.external_reference = report.external_reference
    call.last_error = report.message[:200]
    call.completed_at = timezone.now()
    call.save(
        update_fields=["state", "external_reference", "last_error", "completed_at", "updated_at"]
    )
