"""Bearer-token authentication for the API's routers.

Which user a token belongs to is the domain's business: the function named in the setting
``SAHAYATA_API_TOKEN_USER`` (token in, user or ``None`` out) answers it.
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


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _token_user()(token)
        if user is not None:
            request.user = user
        return user


bearer = BearerAuth()
