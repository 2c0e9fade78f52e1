"""Rollup events for the transparency dashboard, written inside our transactions.

One small module, so that the applications services have exactly one place that knows
the transparency outbox's interface.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sahayata.applications.models import Application


def event_submitted(*, application: Application) -> None:
    from sahayata.transparency.services import rollup_event_record

    rollup_event_record(
        kind="application_submitted",
        occurred_at=application.submitted_at,
        centre_id=application.centre_id,
        service_id=application.service_id,
        application_id=application.pk,
    )


def event_delivered(*, application: Application, at: dt.datetime, on_time: bool) -> None:
    from sahayata.transparency.services import rollup_event_record

    rollup_event_record(
        kind="service_delivered",
        occurred_at=at,
        centre_id=application.centre_id,
        service_id=application.service_id,
        application_id=application.pk,
        on_time=on_time,
    )


def event_payment_posted(
    *, application: Application, at: dt.datetime, transfer_id: uuid.UUID
) -> None:
    """One event per application, for the whole fee, whatever its number of fee heads."""
    from sahayata.transparency.services import rollup_event_record

    rollup_event_record(
        kind="payment_posted",
        occurred_at=at,
        centre_id=application.centre_id,
        service_id=application.service_id,
        amount_paise=application.fee_paise,
        application_id=application.pk,
        transfer_id=str(transfer_id),
    )
