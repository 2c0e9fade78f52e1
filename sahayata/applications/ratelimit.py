"""A small cache-based rate limit per client IP (fixed window), for public lookups.

Behind a reverse proxy, set ``SAHAYATA_TRUST_X_FORWARDED_FOR`` so the proxy's
``X-Forwarded-For`` (its last hop) is used; otherwise REMOTE_ADDR is the client.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sahayata.core.errors import DomainError


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests. Please wait a minute and try again.")


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "SAHAYATA_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def rate_limit_check(request: HttpRequest, *, scope: str) -> None:
    """Raise ``RateLimited`` once a client passes the scope's limit in the current window."""
    limit, window = getattr(settings, "SAHAYATA_RATE_LIMITS", {}).get(scope, (20, 60))
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_ip(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        raise RateLimited(details={"retry_after_seconds": window - int(time.time()) % window})
