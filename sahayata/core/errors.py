"""One family of domain errors.

Every service raises a ``DomainError`` (or a subclass) with a stable machine ``code``,
an HTTP-like ``status`` and a translatable ``message``. The JSON API turns it into
``{"error": {"code", "message", "details"}}``; the HTML views show the message.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400
    default_message: ClassVar[str | Promise] = _("The request is not valid.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or type(self).code  # type: ignore[misc]
        self.status = status or type(self).status  # type: ignore[misc]
        self.details = details or {}
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    default_message = _("Some of the input is not valid.")


class NotFound(DomainError):
    """Not found, or not visible to this user: the two are never told apart."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401
    default_message = _("A valid API token is needed.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("Your role may not do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This conflicts with the current state.")


class Busy(Conflict):
    """The database gave up the transaction because another one held what it needed (a
    deadlock, a serialization failure): nothing was written, and the same request (with
    the same idempotency key) may be sent again."""

    code = "busy"
    status = 409
    default_message = _(
        "Another payment was using the same accounts. Nothing was done: please try again."
    )


def error_codes() -> set[str]:
    """The registry of domain error codes: every ``code`` that ``DomainError`` or a
    subclass declares, among the modules imported so far (the assembled API imports
    every app's)."""
    codes: set[str] = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        kind = pending.pop()
        codes.add(kind.code)
        pending.extend(kind.__subclasses__())
    return codes
