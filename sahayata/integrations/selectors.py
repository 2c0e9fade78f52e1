"""Reads of the integrations app."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from sahayata.integrations.models import AdapterCall

OPEN_STATES = (AdapterCall.State.PENDING, AdapterCall.State.ACCEPTED)


def adapter_calls_open(*, older_than_seconds: int = 0) -> QuerySet[AdapterCall]:
    """Calls not yet settled, optionally only those older than a grace period."""
    calls = AdapterCall.objects.filter(state__in=OPEN_STATES)
    if older_than_seconds:
        calls = calls.filter(
            updated_at__lte=timezone.now() - dt.timedelta(seconds=older_than_seconds)
        )
    return calls.order_by("created_at")


def adapter_calls_accepted() -> QuerySet[AdapterCall]:
    return AdapterCall.objects.filter(state=AdapterCall.State.ACCEPTED).order_by("created_at")


def adapter_calls_fresh() -> QuerySet[AdapterCall]:
    """Calls recorded and never tried: the dispatcher's work, oldest first. A call tried
    without an answer is the reconciler's, after its grace period."""
    return AdapterCall.objects.filter(state=AdapterCall.State.PENDING, attempts=0).order_by(
        "created_at"
    )
