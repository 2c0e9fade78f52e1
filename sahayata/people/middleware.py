"""Staff sessions: the idle timeout, and the second factor before any page.

``IdleTimeoutMiddleware`` ends a staff session after ``SAHAYATA_SESSION_IDLE_SECONDS``
without a request (a counter PC is shared; someone walks away) and sends the person to
the login page, which says why. ``SecondFactorMiddleware`` sends a finance officer or an
administrator whose session has no verified device to the code step (or to enrolment):
every page, the admin's included. The JSON API is left alone: it authenticates by bearer
token, never by the session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from sahayata.people import twofactor

LAST_SEEN_KEY = "sahayata_last_seen"
# The last request's time is written at most this often (a session save per request
# would be a database write per page).
LAST_SEEN_GRANULARITY_SECONDS = 60
_NOT_PAGES = ("/api/", "/static/", "/healthz", "/readyz")


def _page(request: HttpRequest) -> bool:
    return not request.path_info.startswith(_NOT_PAGES)


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _page(request) and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.SAHAYATA_SESSION_IDLE_SECONDS
            if isinstance(last_seen, int) and now - last_seen > idle_limit:
                logout(request)
                query = urlencode({"next": request.get_full_path(), "idle": "1"})
                return HttpResponseRedirect(f"{reverse('login')}?{query}")
            if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_GRANULARITY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _exempt(request: HttpRequest) -> bool:
    path = request.path_info
    own = (reverse("people:otp_verify"), reverse("people:otp_enrol"), reverse("logout"))
    return path in own or path.startswith("/i18n/") or not _page(request)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and twofactor.second_factor_required(user)
            and not user.is_verified()  # type: ignore[attr-defined]  # django_otp's OTPMiddleware
            and not _exempt(request)
        ):
            step = "people:otp_verify" if twofactor.confirmed_totp(user) else "people:otp_enrol"
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(step)}?{query}")
        return self.get_response(request)
