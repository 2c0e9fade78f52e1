"""Where a write comes from, for the audit trail: the client's IP and the API token of the
request being served (the request id is ``core.requestid``'s), or the job that runs.

``AuditContextMiddleware`` sets them for each request; ``people.tokens`` names the token
that authenticated it; ``worker`` labels writes made by a periodic job or a command.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    api_token_id: int | None = None
    worker: str = ""
    in_request: bool = False


NOWHERE = Origin()
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar("audit_origin", default=NOWHERE)


def current_origin() -> Origin:
    return _origin.get()


def api_token_used(token_id: int) -> None:
    """The request being served authenticated with this API token (outside a request, a
    token looked up names nothing: the value would outlive the call)."""
    origin = _origin.get()
    if origin.in_request:
        _origin.set(replace(origin, api_token_id=token_id))


@contextmanager
def worker(label: str) -> Iterator[None]:
    """Writes inside are the system's, labelled ``label`` (a job or a command)."""
    token = _origin.set(Origin(worker=label))
    try:
        yield
    finally:
        _origin.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's last ``X-Forwarded-For`` hop when
    ``SAHAYATA_TRUST_X_FORWARDED_FOR`` says a proxy sets it."""
    address = str(request.META.get("REMOTE_ADDR", "") or "")
    if settings.SAHAYATA_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _origin.set(Origin(ip=client_ip(request), in_request=True))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)
