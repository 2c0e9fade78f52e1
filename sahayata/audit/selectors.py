"""Reads of the audit trail: the auditor's filtered listing and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from sahayata.audit import rules
from sahayata.audit.models import AuditEvent
from sahayata.core import chain


@dataclass(frozen=True)
class EventFilter:
    """What the auditor asked for; an empty field filters nothing. Dates are Kolkata
    calendar days, both ends included."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events_filtered(wanted: EventFilter) -> QuerySet[AuditEvent]:
    """The events that match, newest first."""
    events = AuditEvent.objects.all()
    if wanted.date_from:
        events = events.filter(at__gte=_day_start(wanted.date_from))
    if wanted.date_to:
        events = events.filter(at__lt=_day_start(wanted.date_to + dt.timedelta(days=1)))
    if wanted.actor:
        actor = wanted.actor.strip()
        events = (
            events.filter(actor_user_id=int(actor))
            if actor.isdigit()
            else events.filter(actor_username__iexact=actor)
            | events.filter(actor_label__iexact=actor)
        )
    if wanted.action:
        action = wanted.action.strip()
        events = (
            events.filter(action=action)
            if "." in action
            else events.filter(action__startswith=action + ".")
        )
    if wanted.object_type:
        events = events.filter(object_type=wanted.object_type.strip())
    if wanted.object_id:
        events = events.filter(object_id=wanted.object_id.strip())
    return events.order_by("-id")


def actions_known() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def object_types_known() -> list[str]:
    return list(
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


# The hashed fields (in the content hash's order), then where the event sits in the chain.
CSV_COLUMNS = (*rules.HASHED_FIELDS, "seal_seq", "chain_hash")
_JSON_COLUMNS = (CSV_COLUMNS.index("before"), CSV_COLUMNS.index("after"))


def _cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting like a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _Line:
    """A file-like object whose ``write`` returns what it was given (for streaming)."""

    def write(self, value: str) -> str:
        return value


def events_csv_lines(wanted: EventFilter) -> Iterator[str]:
    """The CSV export, line by line (streamed: no export is held in memory). Times in
    Asia/Kolkata, ISO 8601; before and after as canonical JSON."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    rows = events_filtered(wanted).values_list(*CSV_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        values = list(row)
        values[1] = timezone.localtime(values[1]).isoformat()
        for index in _JSON_COLUMNS:
            values[index] = "" if values[index] is None else chain.canonical_json(values[index])
        yield writer.writerow([_cell(value) for value in values])
