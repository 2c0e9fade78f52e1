"""Events to seal, verify and tamper with: ``count`` holiday creations in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sahayata.audit.models import AuditEvent
from sahayata.audit.services import event_record


def holiday_events(count: int, **extra: Any) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            event_record(
                action="holiday.create",
                object_type="holiday",
                object_id=n,
                after={"name": f"Day {n}", "n": n},
                **extra,
            )
            for n in range(count)
        ]
