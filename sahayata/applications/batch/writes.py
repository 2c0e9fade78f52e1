"""Writes the submit and decide batches share: the wallet's batch path and the rollups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from sahayata.transparency import services as transparency
from sahayata.transparency.services import RollupEventSpec
from sahayata.wallet.errors import TransfersRejected
from sahayata.wallet.services import transfers_apply

HISTORY_COLUMNS = (
    "application_id",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "actor_label",
    "comment",
    "at",
)


def rollups_write(events: list[RollupEventSpec], sink: list[RollupEventSpec] | None) -> None:
    if sink is None:
        transparency.rollup_events_record_batch(events=events)
    else:
        sink.extend(events)


def wallet_batch(ops: Sequence[Any], now: dt.datetime) -> None:
    """The wallet's batch path at the simulated time: every operation applied, or
    ``TransfersRejected`` and nothing written (``transfers_create_batch`` semantics)."""
    if not ops:
        return
    with transaction.atomic():
        outcomes = transfers_apply(ops=ops, now=now)
        failed = [
            {"index": index, "code": outcome.error.code}
            for index, outcome in enumerate(outcomes)
            if outcome.error is not None
        ]
        if failed:
            raise TransfersRejected(
                f"{len(failed)} transfers of the batch were refused: {failed[:5]}",
                details={"failed": failed[:20], "count": len(failed)},
            )
