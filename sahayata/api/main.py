"""The JSON API's library: a NinjaAPI with one error shape; it knows no domain.

Errors always look like ``{"error": {"code", "message", "details"}}``, with the message
in the request's language (Accept-Language: bn or en). ``sahayata.site.api`` builds the
v1 API from it and the domain apps' routers.
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
    """A NinjaAPI that answers every error in the one shape: domain errors, invalid input,
    missing auth, unknown paths and wrong methods (Ninja alone answers the last two with
    Django's HTML 404 and a bare-text 405). The routers are added by whoever assembles it
    (``sahayata.site.api``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exception_handler(DomainError)(self._on_domain_error)
        self.exception_handler(NinjaValidationError)(self._on_validation_error)
        self.exception_handler(AuthenticationError)(self._on_auth_error)
        self.exception_handler(Http404)(self._on_not_found)
        self.exception_handler(HttpError)(self._on_http_error)

    def error_response(
        self, request: HttpRequest, status: int, code: str, message: str, details: Any = None
    ) -> HttpResponse:
        return self.create_response(
            request,
            {"error": {"code": code, "message": message, "details": details or {}}},
            status=status,
        )

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._method_errors_in_shape(pattern.callback)
        # DOTALL, so that a path with an encoded line break is also answered in the shape.
        return [*patterns, re_path(r"^(?P<unknown>(?s:.+))$", self._unknown_path)]

    def _method_errors_in_shape(
        self, view: Callable[..., HttpResponse]
    ) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
                shaped = self.error_response(
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

    def _unknown_path(self, request: HttpRequest, unknown: str) -> HttpResponse:
        return self.error_response(request, 404, "not_found", _("Not found."))

    def _on_domain_error(self, request: HttpRequest, exc: DomainError) -> HttpResponse:
        return self.error_response(request, exc.status, exc.code, str(exc.message), exc.details)

    def _on_validation_error(self, request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = []
        for err in exc.errors:
            loc = [str(part) for part in err.get("loc", ())]
            if len(loc) > 2 and loc[0] == loc[1]:
                # Ninja puts the parameter's name after the source: body.body.amount_paise
                del loc[1]
            fields.append({"field": ".".join(loc), "problem": err.get("type", "invalid")})
        return self.error_response(
            request, 422, "invalid_input", _("Some of the input is not valid."), {"fields": fields}
        )

    def _on_auth_error(self, request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return self.error_response(
            request, 401, "unauthenticated", _("A valid API token is needed.")
        )

    def _on_not_found(self, request: HttpRequest, exc: Http404) -> HttpResponse:
        return self.error_response(request, 404, "not_found", _("Not found."))

    def _on_http_error(self, request: HttpRequest, exc: HttpError) -> HttpResponse:
        return self.error_response(
            request,
            exc.status_code,
            _HTTP_ERROR_CODES.get(exc.status_code, "error"),
            str(exc.message),
        )


_HTTP_ERROR_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limited",
}
