"""Reads of places."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sahayata.core.errors import NotFound
from sahayata.core.text import has_control_characters
from sahayata.places.models import Centre, District


def centre_list(*, district_code: str | None = None) -> QuerySet[Centre]:
    centres = Centre.objects.select_related("district", "block").filter(is_active=True)
    if district_code:
        if has_control_characters(district_code):
            return centres.none()
        centres = centres.filter(district__code=district_code)
    return centres.order_by("code")


class CentreNotFound(NotFound):
    code = "centre_not_found"
    default_message = _("No such centre.")


def centre_get(*, code: str) -> Centre:
    """The centre with this code (active or not), or ``CentreNotFound``."""
    centre = None
    if not has_control_characters(code):
        centre = Centre.objects.select_related("district", "block").filter(code=code).first()
    if centre is None:
        raise CentreNotFound(details={"centre_code": code})
    return centre


def district_list() -> QuerySet[District]:
    return District.objects.order_by("name_en")
