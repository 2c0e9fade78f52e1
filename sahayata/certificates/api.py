"""JSON API endpoints of the certificates app."""

from ninja import Router

router = Router(tags=["certificates"])
