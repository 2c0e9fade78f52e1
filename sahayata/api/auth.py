"""Bearer-token authentication for the API's routers.

Which user a token belongs to is the domain's business: the function named in the setting
``SAHAYATA_API_TOKEN_USER`` (token in, user or ``None`` out) answers it; the functions named
in ``SAHAYATA_API_ON_AUTHENTICATED`` are then called with the request and the user (the
site sends an auditor's reads to the replica from there).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from ninja.security import HttpBearer


@functools.cache
def _token_user() -> Callable[[str], Any]:
    resolver: Callable[[str], Any] = import_string(settings.SAHAYATA_API_TOKEN_USER)
    return resolver


@functools.cache
def _on_authenticated() -> tuple[Callable[[HttpRequest, Any], None], ...]:
    names = getattr(settings, "SAHAYATA_API_ON_AUTHENTICATED", ())
    return tuple(import_string(name) for name in names)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _token_user()(token)
        if user is not None:
            request.user = user
            for hook in _on_authenticated():
                hook(request, user)
        return user


bearer = BearerAuth()
