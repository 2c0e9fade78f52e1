"""Limits on public lookups (tracking) that stop enumeration without locking out a kiosk.

Only *misses* count (a number and mobile that do not match); a correct lookup never does,
so a busy kiosk serving many citizens from one IP is never blocked for its good answers.
Two counters per fixed window, both kept in the cache:

- misses for one application number from one IP: a citizen who mistypes the mobile a few
  times is stopped for that number only, and told how long to wait;
- misses from one IP over every number: a much higher ceiling (a kiosk's typos add up,
  a script guessing numbers passes it quickly).

Behind a reverse proxy, set ``SAHAYATA_TRUST_X_FORWARDED_FOR`` so the proxy's
``X-Forwarded-For`` (its last hop) is used; otherwise REMOTE_ADDR is the client.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from sahayata.core.errors import DomainError
from sahayata.core.money import localise_digits


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests. Please wait a minute and try again.")


@dataclass(frozen=True)
class LookupLimits:
    misses_per_number: int = 5  # from one IP, for one application number
    misses_per_ip: int = 300  # from one IP, all numbers together (a kiosk's ceiling)
    window_seconds: int = 900


DEFAULT_LIMITS = {"track": LookupLimits()}


def lookup_limits(scope: str) -> LookupLimits:
    configured = getattr(settings, "SAHAYATA_LOOKUP_LIMITS", {}).get(scope)
    if configured is None:
        return DEFAULT_LIMITS.get(scope, LookupLimits())
    return LookupLimits(**configured)


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "SAHAYATA_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _keys(scope: str, request: HttpRequest, subject: str, window: int) -> tuple[str, str, int]:
    """The cache keys of (IP + subject, IP) in the current window, and its seconds left."""
    now = time.time()
    bucket = int(now // window)
    ip = hashlib.sha256(client_ip(request).encode()).hexdigest()[:24]
    about = hashlib.sha256(subject.strip().upper().encode()).hexdigest()[:24]
    left = max(1, math.ceil((bucket + 1) * window - now))
    return f"lookup:{scope}:{ip}:{about}:{bucket}", f"lookup:{scope}:{ip}:{bucket}", left


def _wait_text(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    text = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return localise_digits(text)


def lookup_guard(request: HttpRequest, *, scope: str, subject: str) -> None:
    """Raise ``RateLimited`` (with the wait) when this client missed too often, for this
    ``subject`` (the application number) or for any."""
    limits = lookup_limits(scope)
    number_key, ip_key, left = _keys(scope, request, subject, limits.window_seconds)
    counts = cache.get_many([number_key, ip_key])
    if counts.get(number_key, 0) >= limits.misses_per_number:
        raise RateLimited(
            gettext(
                "This application number and mobile number did not match several times. "
                "Check both on the acknowledgement slip and try again in %(wait)s."
            )
            % {"wait": _wait_text(left)},
            details={"retry_after_seconds": left, "limit": "number"},
        )
    if counts.get(ip_key, 0) >= limits.misses_per_ip:
        raise RateLimited(
            gettext(
                "Too many lookups that did not match came from this connection. "
                "Try again in %(wait)s."
            )
            % {"wait": _wait_text(left)},
            details={"retry_after_seconds": left, "limit": "address"},
        )


def lookup_missed(request: HttpRequest, *, scope: str, subject: str) -> None:
    """Count one miss for this client, for ``subject`` and overall."""
    limits = lookup_limits(scope)
    for key in _keys(scope, request, subject, limits.window_seconds)[:2]:
        if cache.add(key, 1, timeout=limits.window_seconds + 1):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limits.window_seconds + 1)
