"""The errors of applications: one family, each with a stable code and a message in both
languages (the API turns them into the one error shape, the pages into a message)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sahayata.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class ApplicationNotFound(NotFound):
    """Unknown, or not visible to this user: the two are never told apart."""

    code = "not_found"
    default_message = _("No such application.")


class InvalidFields(InvalidInput):
    code = "invalid_fields"
    default_message = _("Some form fields are missing or not valid.")


class InvalidDocument(InvalidInput):
    code = "invalid_document"
    default_message = _("A document is missing, too large (over 2 MB) or not a PDF, JPEG or PNG.")


class ServiceUnavailable(Conflict):
    code = "service_unavailable"
    default_message = _("This service is not available now.")


class ActionNotAllowed(Conflict):
    code = "action_not_allowed"
    default_message = _("This action is not possible in the application's current state.")


class ActionForbidden(PermissionDenied):
    code = "forbidden"
    default_message = _("Your role may not take this action.")


class CommentRequired(InvalidInput):
    code = "comment_required"
    default_message = _("Give a reason in the comment for this action.")


class SameOfficer(PermissionDenied):
    """Four eyes: the officer who verified an application may not also approve it."""

    code = "same_officer"
    default_message = _(
        "You verified this application, so another officer of the department must approve it."
    )
