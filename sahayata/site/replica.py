"""The auditor's reads go to the replica: the auditor's role writes nothing, so every page an
auditor opens with GET or HEAD runs inside ``replica_reads`` (sahayata/core/dbrouter.py), and
so does every API read (GET or HEAD) made with an auditor's bearer token, from the moment
the token is known (``api_authenticated``, called by the API's bearer authentication).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from sahayata.core.dbrouter import replica_reads, replica_reads_from_now, request_scope
from sahayata.people.models import Role

SAFE_METHODS = frozenset({"GET", "HEAD"})


class AuditorReplicaMiddleware:
    """After AuthenticationMiddleware: an auditor's safe requests read from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        with request_scope():
            if request.method in SAFE_METHODS and getattr(user, "role", None) == Role.AUDITOR:
                with replica_reads():
                    return self.get_response(request)
            return self.get_response(request)


def api_authenticated(request: HttpRequest, user: Any) -> None:
    """``SAHAYATA_API_ON_AUTHENTICATED``: a safe API request with an auditor's token reads
    the replica for the rest of the request (the token itself was looked up on the
    primary, with its last-used time)."""
    if request.method in SAFE_METHODS and getattr(user, "role", None) == Role.AUDITOR:
        replica_reads_from_now()
