"""Adapter-confirmed applications: call the back end after commit, then settle the money.

The order that survives a crash anywhere:
1. in the submission transaction: hold the fee, record the ``AdapterCall`` (pending);
2. after commit, outside any transaction: submit to the back end (idempotent by our
   reference, the application number);
3. in one short transaction: lock the call row, and if it is still open, post (confirmed)
   or void (failed) the hold and move the application on.

Step 2 runs in the worker (``applications_dispatch_pending``, queued by ``run_jobs``' relay
as soon as a fresh call waits), a few calls at once in threads, since each waits on its
back end. A crash after 2 leaves the call open; ``integrations_reconcile`` asks the back end again
and settles it. A timeout is answered by cancelling at the back end (idempotent) and
voiding; if even that cannot be done, the call stays open for the reconciler.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from sahayata.applications.models import Application
from sahayata.applications.services import application_system_act
from sahayata.core.retry import retried_on_contention
from sahayata.integrations.models import AdapterCall
from sahayata.integrations.selectors import (
    OPEN_STATES,
    adapter_calls_accepted,
    adapter_calls_fresh,
    adapter_calls_open,
)
from sahayata.integrations.services import (
    CallReport,
    Outcome,
    adapter_call_check,
    adapter_call_complete,
    adapter_call_execute,
)

logger = logging.getLogger(__name__)


def _call_for(application_no: str) -> AdapterCall | None:
    return AdapterCall.objects.filter(reference=application_no).first()


@retried_on_contention
def application_settle(*, call: AdapterCall, report: CallReport) -> bool:
    """Post or void per the back end's answer, exactly once. True if this call settled it."""
    if report.outcome not in (Outcome.CONFIRMED, Outcome.FAILED):
        return False
    with transaction.atomic():
        locked = AdapterCall.objects.select_for_update().filter(pk=call.pk).first()
        if locked is None or locked.state not in OPEN_STATES:
            return False
        application = Application.objects.get(number=locked.reference)
        adapter_call_complete(call=locked, report=report)
        if report.outcome == Outcome.CONFIRMED:
            application_system_act(
                application=application,
                action="confirm",
                label=locked.adapter_code,
                comment=report.external_reference,
            )
        else:
            application_system_act(
                application=application,
                action="fail",
                label=locked.adapter_code,
                comment=report.message or "failed",
            )
    return True


def application_dispatch(*, application_no: str) -> str:
    """Make the recorded adapter call of an application; returns the outcome."""
    call = _call_for(application_no)
    if call is None or call.state not in OPEN_STATES:
        return "settled"
    report = adapter_call_execute(call=call)
    if report.outcome == Outcome.UNKNOWN:
        # No answer: make sure the back end will not act later, then refund.
        report = adapter_call_check(call=call, cancel=True)
    application_settle(call=call, report=report)
    return report.outcome


def applications_dispatch_pending(
    *, threads: int = 16, budget_seconds: float = 5.0, batch: int = 500
) -> dict[str, int]:
    """Make the calls recorded and never tried, ``threads`` at a time, until none is left
    or ``budget_seconds`` have passed (the relay queues another task for the rest).
    Another dispatcher taking the same call is harmless: the back end knows our reference,
    and ``application_settle`` settles once. Returns the count per outcome."""
    deadline = time.monotonic() + budget_seconds
    counts: Counter[str] = Counter()
    while time.monotonic() < deadline:
        references = list(adapter_calls_fresh().values_list("reference", flat=True)[:batch])
        if not references:
            break
        if threads <= 1:
            for reference in references:
                counts[application_dispatch(application_no=reference)] += 1
        else:
            counts.update(_dispatch_in_threads(references, threads=threads))
    return dict(counts)


def _dispatch_in_threads(references: list[str], *, threads: int) -> Counter[str]:
    """Each thread has its own connection, closed when it ends."""
    work: queue.SimpleQueue[str] = queue.SimpleQueue()
    for reference in references:
        work.put(reference)
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def run() -> None:
        try:
            while True:
                try:
                    reference = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = application_dispatch(application_no=reference)
                except Exception:  # one bad call must not stop the others; the reconciler retries
                    logger.exception("dispatch of %s failed", reference)
                    outcome = "error"
                with lock:
                    counts[outcome] += 1
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(min(threads, len(references)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counts


def integrations_poll(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Ask back ends about accepted calls (treasury challans): confirm, or cancel when late."""
    now = now or timezone.now()
    counts = {"confirmed": 0, "failed": 0, "waiting": 0}
    for call in adapter_calls_accepted():
        late = call.deadline_at <= now
        report = adapter_call_check(call=call, cancel=late)
        if application_settle(call=call, report=report):
            counts[report.outcome] += 1
        else:
            counts["waiting"] += 1
    return counts


def integrations_reconcile(
    *, older_than_seconds: int = 60, now: dt.datetime | None = None
) -> dict[str, int]:
    """Settle every open call older than the grace period, after a crash or an outage.

    For each: ask the back end by our reference. Confirmed → post; failed or cancelled →
    void; never received → submit now (idempotent); past the deadline → cancel and void.
    """
    now = now or timezone.now()
    counts = {"confirmed": 0, "failed": 0, "waiting": 0}
    for call in adapter_calls_open(older_than_seconds=older_than_seconds):
        late = call.deadline_at <= now
        report = adapter_call_check(call=call, cancel=late)
        if report.outcome == Outcome.UNKNOWN and report.message == "not_found":
            report = adapter_call_execute(call=call)
            if report.outcome == Outcome.UNKNOWN:
                report = adapter_call_check(call=call, cancel=True)
        if application_settle(call=call, report=report):
            counts[report.outcome] += 1
        else:
            counts["waiting"] += 1
            logger.info("adapter call %s still open: %s", call, report.outcome)
    return counts
