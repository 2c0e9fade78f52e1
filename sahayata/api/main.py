"""The JSON API, v1: one NinjaAPI, one error shape, routers from each domain app.

Errors always look like ``{"error": {"code", "message", "details"}}``, with the message
in the request's language (Accept-Language: bn or en).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from sahayata.core.errors import DomainError


class SahayataAPI(NinjaAPI):
    """A NinjaAPI whose unknown paths and wrong methods also answer in the one error shape
    (Ninja alone answers them with Django's HTML 404 and a bare-text 405)."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _method_errors_in_shape(pattern.callback)
        # DOTALL, so that a path with an encoded line break is also answered in the shape.
        return [*patterns, re_path(r"^(?P<unknown>(?s:.+))$", _unknown_path)]


def _method_errors_in_shape(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            shaped = error_response(
                request,
                405,
                "method_not_allowed",
                _("This method is not allowed here."),
                {"allowed": allowed},
            )
            shaped["Allow"] = response.get("Allow", "")
            return shaped
        return response

    return wrapped


def _unknown_path(request: HttpRequest, unknown: str) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


api = SahayataAPI(
    title="Sahayata API",
    version="1",
    description=(
        "Integration contract for kiosk clients, department back ends and auditors. "
        "Money is integer paise. Errors: {error: {code, message, details}}."
    ),
    urls_namespace="api-v1",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "details": details or {}}},
        status=status,
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, str(exc.message), exc.details)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ())]
        if len(loc) > 2 and loc[0] == loc[1]:
            del loc[1]  # Ninja puts the parameter's name after the source: body.body.amount_paise
        fields.append({"field": ".".join(loc), "problem": err.get("type", "invalid")})
    return error_response(
        request, 422, "invalid_input", _("Some of the input is not valid."), {"fields": fields}
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("A valid API token is needed."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "invalid_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        429: "rate_limited",
    }
    return error_response(
        request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message)
    )


# Routers of the domain apps. Each app owns its endpoints in ``<app>/api.py``.
from sahayata.applications.api import router as applications_router  # noqa: E402
from sahayata.catalogue.api import router as catalogue_router  # noqa: E402
from sahayata.certificates.api import router as certificates_router  # noqa: E402
from sahayata.places.api import router as places_router  # noqa: E402
from sahayata.transparency.api import router as transparency_router  # noqa: E402
from sahayata.wallet.api import router as wallet_router  # noqa: E402

api.add_router("/", catalogue_router)
api.add_router("/", places_router)
api.add_router("/", wallet_router)
api.add_router("/", applications_router)
api.add_router("/", certificates_router)
api.add_router("/", transparency_router)
