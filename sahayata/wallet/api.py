"""JSON API endpoints of the wallet app."""

from ninja import Router

router = Router(tags=["wallet"])
