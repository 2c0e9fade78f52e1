"""Rollup events for the transparency dashboard, written inside our transactions.

One small module, so that the applications services have exactly one place that knows
the transparency outbox's interface. What the events say is decided by ``plans``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sahayata.transparency.services import RollupEventSpec


def events_record(specs: Iterable[RollupEventSpec]) -> None:
    """Write each event to the outbox in the caller's transaction; folded after commit."""
    from sahayata.transparency.services import rollup_event_record

    for spec in specs:
        rollup_event_record(
            kind=spec.kind,
            occurred_at=spec.occurred_at,
            centre_id=spec.centre_id,
            service_id=spec.service_id,
            amount_paise=spec.amount_paise,
            weight=spec.weight,
            application_id=spec.application_id,
            transfer_id=spec.transfer_id,
            on_time=spec.on_time,
            simulated=spec.simulated,
        )
