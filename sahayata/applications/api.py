"""JSON API endpoints of the applications app."""

from ninja import Router

router = Router(tags=["applications"])
