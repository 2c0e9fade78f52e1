"""The JSON API's library: a NinjaAPI with one error shape; it knows no domain.

Errors always look like ``{"error": {"code", "message", "details"}}``, with the message
in the request's language (Accept-Language: bn or en). ``sahayata.site.api`` builds the
v1 API from it and the domain apps' routers.

The OpenAPI document lists every error an operation can answer, derived here from what
the operation is (``error_statuses``) rather than written on each endpoint: input that
can be invalid (422: a query or a body; a path parameter only when it is more than any
text), a body (400, 413, 415), a path parameter (404), a token (401, 403),
an Idempotency-Key (400, 409; see ``IDEMPOTENT``) or a rate limit (``RATE_LIMITED``,
429). An endpoint declares in its ``response=`` only the errors of its own domain (a 404
for a query that names nothing, a 409 for a state conflict).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from sahayata.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from sahayata.api.schemas import ErrorOut
from sahayata.core.errors import DomainError

# ``openapi_extra`` of an operation that takes an Idempotency-Key (required or optional).
IDEMPOTENT: dict[str, Any] = {"x-idempotency-key": "required"}
IDEMPOTENT_OPTIONAL: dict[str, Any] = {"x-idempotency-key": "optional"}
# ``openapi_extra`` of an operation that refuses a client who asks too often.
RATE_LIMITED: dict[str, Any] = {"x-rate-limited": True}

ERROR_DESCRIPTIONS = {
    400: "Malformed request: a body that is not JSON in UTF-8, or a missing or invalid "
    "Idempotency-Key (idempotency_key_required, idempotency_key_invalid)",
    401: "No token, or a token that is wrong, expired or revoked (unauthenticated; "
    "details.reason is token_expired or token_revoked for a known token that no longer works)",
    403: "The user's role may not do this (forbidden)",
    404: "Not found, or not visible to this user (the two are never told apart)",
    409: "Conflict with the current state, or an Idempotency-Key already used with "
    "another request, a refused one too (idempotency_key_reused), or a lock race still lost "
    "after the server's retries (busy: nothing was done, send it again with the same key)",
    413: "The body is larger than the server accepts (too_large); it is not read",
    415: "The body is not application/json (unsupported_media_type)",
    422: "Some of the input is not valid (invalid_input: details.fields names each)",
    429: "Too many lookups that did not match from this client (rate_limited)",
}
# The codes this layer answers by itself; the domain's are ``core.errors.error_codes()``.
OWN_ERROR_CODES = frozenset(
    (
        "invalid_request",
        "invalid_input",
        "unauthenticated",
        "forbidden",
        "not_found",
        "method_not_allowed",
        "conflict",
        "rate_limited",
        "too_large",
        "unsupported_media_type",
    )
)
JSON_MEDIA_TYPES = ("application/json",)
WRITE_METHODS = ("POST", "PUT", "PATCH")


def error_statuses(method: str, operation: dict[str, Any]) -> Iterator[int]:
    """The error statuses that an operation can answer, from what it is."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation or method.upper() in WRITE_METHODS
    if has_body:
        yield from (400, 413, 415)
    if has_body or any(_may_be_invalid(p) for p in parameters):
        yield 422
    if any(p.get("in") == "path" for p in parameters):
        yield 404
    if operation.get("security"):
        yield from (401, 403)
    if "x-idempotency-key" in operation:
        yield from (400, 409)
    if operation.get("x-rate-limited"):
        yield 429


def _may_be_invalid(parameter: dict[str, Any]) -> bool:
    """A query parameter may be refused; a path parameter only when it is more than any
    text (any text is only unknown: 404)."""
    if parameter.get("in") == "query":
        return True
    if parameter.get("in") != "path":
        return False
    schema = {k: v for k, v in parameter.get("schema", {}).items() if k != "title"}
    return schema != {"type": "string"}


def _idempotency_parameter(required: bool) -> dict[str, Any]:
    return {
        "in": "header",
        "name": IDEMPOTENCY_HEADER,
        "required": required,
        "description": "1 to 255 printable ASCII characters, scoped to the user: the same "
        "key and body replay the first answer (a refusal too), another body is 409 "
        "idempotency_key_reused.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    }


class StrictJsonParser(Parser):
    """JSON bodies in UTF-8 only: invalid UTF-8 (a lone surrogate included) is refused
    as unparsable (400), not read with replacement or surrogate characters."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json.loads(request.body.decode("utf-8", errors="strict"))


class SahayataAPI(NinjaAPI):
    """A NinjaAPI that answers every error in the one shape: domain errors, invalid input,
    missing auth, unknown paths and wrong methods (Ninja alone answers the last two with
    Django's HTML 404 and a bare-text 405). The routers are added by whoever assembles it
    (``sahayata.site.api``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", StrictJsonParser())
        super().__init__(**kwargs)
        self.exception_handler(DomainError)(self._on_domain_error)
        self.exception_handler(NinjaValidationError)(self._on_validation_error)
        self.exception_handler(AuthenticationError)(self._on_auth_error)
        self.exception_handler(Http404)(self._on_not_found)
        self.exception_handler(HttpError)(self._on_http_error)
        self.exception_handler(RequestDataTooBig)(self._on_too_large)

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, with every error an operation can answer (``error_statuses``)
        in the one error shape, and the Idempotency-Key header where it is taken."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components.setdefault("ErrorOut", error_schema)
        error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                mode = operation.get("x-idempotency-key")
                if mode is not None:
                    operation.setdefault("parameters", []).append(
                        _idempotency_parameter(required=mode == "required")
                    )
                responses = operation.setdefault("responses", {})
                for status in error_statuses(method, operation):
                    responses.setdefault(
                        status,
                        {"description": ERROR_DESCRIPTIONS[status], "content": error_content},
                    )
        return schema

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
            refused = self._refuse_body(request)
            if refused is not None:
                return refused
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

    def _refuse_body(self, request: HttpRequest) -> HttpResponse | None:
        """A body too large (413, before any of it is read) or not JSON (415)."""
        if request.method not in WRITE_METHODS:
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return self._on_too_large(request, None)
        if length and request.content_type not in JSON_MEDIA_TYPES:
            return self.error_response(
                request,
                415,
                "unsupported_media_type",
                _("The body must be JSON, sent as application/json."),
                {"content_type": request.content_type or ""},
            )
        charset = (request.content_params or {}).get("charset", "utf-8")
        if length and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            return self.error_response(
                request,
                415,
                "unsupported_media_type",
                _("The body must be JSON, sent as application/json."),
                {"charset": charset},
            )
        return None

    def _on_too_large(self, request: HttpRequest, exc: RequestDataTooBig | None) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return self.error_response(
            request,
            413,
            "too_large",
            _("The request body is too large."),
            {"max_bytes": limit} if limit is not None else {},
        )

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
        message = str(exc.message)
        if exc.status_code == 400:
            # Ninja's only 400: a body it could not parse (broken JSON, invalid UTF-8).
            message = _("The request body is not valid JSON in UTF-8.")
        return self.error_response(
            request, exc.status_code, _HTTP_ERROR_CODES.get(exc.status_code, "error"), message
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
