"""JSON API endpoints of the transparency app (public, read-only)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from sahayata.transparency import selectors

router = Router(tags=["transparency"])


class MilestoneOut(Schema):
    threshold_paise: int
    crossed_at: dt.datetime


class SummaryOut(Schema):
    total_paise: int
    wallet_transactions: int
    services_delivered: int
    centres: int
    milestones: list[MilestoneOut]
    as_of: dt.datetime


@router.get("/transparency/summary", response=SummaryOut, auth=None)
def transparency_summary(request: HttpRequest) -> dict:
    """Money moved through centre wallets (service payments posted, one per application),
    services delivered, active centres and the money milestones crossed, from the rollups.
    """
    return selectors.public_summary()
