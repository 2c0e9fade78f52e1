"""Reads of places."""

from __future__ import annotations

from django.db.models import QuerySet

from sahayata.core.text import has_control_characters
from sahayata.places.models import Centre


def centre_list(*, district_code: str | None = None) -> QuerySet[Centre]:
    centres = Centre.objects.select_related("district", "block").filter(is_active=True)
    if district_code:
        if has_control_characters(district_code):
            return centres.none()
        centres = centres.filter(district__code=district_code)
    return centres.order_by("code")
