"""Staff login pages: the password step (with the idle timeout's message), and the second
factor's steps (enrolment, the code, new recovery codes)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sahayata.people import twofactor
from sahayata.people.roles import staff_user


class StaffLoginView(LoginView):
    """Django's login (a new session key at login), saying when the last session idled out."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = (
            math.ceil(settings.SAHAYATA_SESSION_IDLE_SECONDS / 60)
            if self.request.GET.get("idle")
            else None
        )
        return context


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/start/"


def _step(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def _verified(request: HttpRequest, device: Any) -> None:
    # A new session key for the raised privilege, as at the password step.
    request.session.cycle_key()
    django_otp.login(request, device)


def _not_asked(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if not twofactor.second_factor_required(user) or user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    if (answer := _not_asked(request)) is not None:
        return answer
    user = staff_user(request.user)
    if twofactor.confirmed_totp(user) is not None:
        return redirect(_step("people:otp_verify", request))
    result = None
    if request.method == "POST":
        result, codes = twofactor.otp_enrol_confirm(user=user, code=request.POST.get("code", ""))
        if result.device is not None:
            _verified(request, result.device)
            return _codes_page(request, codes, enrolled=True)
    device = twofactor.otp_enrol_begin(user=user)
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {
        # segno, as the acknowledgements' QR codes; the data is ours (the otpauth URL).
        "qr": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR")),  # noqa: S308
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "result": result,
        "next": _next(request),
    }
    return render(request, "people/otp_enrol.html", context, status=200 if result is None else 400)


def _codes_page(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    return render(
        request,
        "people/otp_recovery_codes.html",
        {"codes": codes, "enrolled": enrolled, "next": _next(request)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if (answer := _not_asked(request)) is not None:
        return answer
    user = staff_user(request.user)
    if twofactor.confirmed_totp(user) is None:
        return redirect(_step("people:otp_enrol", request))
    result = None
    if request.method == "POST":
        result = twofactor.otp_verify(user=user, code=request.POST.get("code", ""))
        if result.device is not None:
            _verified(request, result.device)
            if result.used_recovery_code:
                return redirect(_step("people:otp_recovery_codes", request))
            return redirect(_next(request))
    context = {"result": result, "next": _next(request)}
    status = 200 if result is None else (429 if result.reason == "throttled" else 400)
    return render(request, "people/otp_verify.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; a POST makes ten new ones (the old stop working)."""
    user = staff_user(request.user)
    if not user.is_verified() or twofactor.confirmed_totp(user) is None:  # type: ignore[attr-defined]
        return redirect(reverse("people:otp_verify"))
    if request.method == "POST":
        return _codes_page(request, twofactor.otp_recovery_codes_renew(user=user), enrolled=False)
    left = twofactor.recovery_codes_left(user)
    return render(request, "people/otp_recovery_left.html", {"left": left, "next": _next(request)})
