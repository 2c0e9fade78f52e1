"""Staff login beyond the password: the page a throttled login gets (django-axes).

A failed login counts against the username at its IP (``AXES_LOCKOUT_PARAMETERS``), so a
locked-out operator at a shared counter PC does not stop the others: the page says so and
keeps the form.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The login page again, status 429, with the lock-out said in the page's language."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "registration/login.html",
        {"locked_out": True, "cooloff_minutes": minutes, "next": request.POST.get("next", "")},
        status=429,
    )


def login_ip(request: HttpRequest) -> str | None:
    """The IP a login attempt counts against (``AXES_CLIENT_IP_CALLABLE``): the same client
    IP as the rate limits, or ``None`` when the request carries none (a login made in code,
    such as a test's ``force_login``): axes stores IPs in an inet column, which PostgreSQL
    refuses a placeholder like ``"unknown"`` for."""
    from sahayata.applications.ratelimit import client_ip

    ip = client_ip(request)
    return None if ip == "unknown" else ip
