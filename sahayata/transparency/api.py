"""JSON API endpoints of the transparency app."""

from ninja import Router

router = Router(tags=["transparency"])
