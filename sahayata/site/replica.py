"""The auditor's reads go to the replica: the auditor's role writes nothing, so every page an
auditor opens with GET or HEAD runs inside ``replica_reads`` (sahayata/core/dbrouter.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sahayata.core.dbrouter import replica_reads
from sahayata.people.models import Role

SAFE_METHODS = frozenset({"GET", "HEAD"})


class AuditorReplicaMiddleware:
    """After AuthenticationMiddleware: an auditor's safe requests read from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.method in SAFE_METHODS and getattr(user, "role", None) == Role.AUDITOR:
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
