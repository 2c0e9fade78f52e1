"""Reads about people: citizen search."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sahayata.core.money import ascii_digits
from sahayata.core.text import has_control_characters
from sahayata.people.models import Citizen
from sahayata.people.rules import normalise_mobile


def citizen_search(*, query: str, limit: int = 50) -> QuerySet[Citizen]:
    """Citizens whose mobile matches (full number or its last digits) or whose name
    contains ``query``, in English or in Bengali."""
    text = (query or "").strip()
    if not text or has_control_characters(text):
        return Citizen.objects.none()
    condition = Q(name_en__icontains=text) | Q(name_bn__icontains=text)
    mobile = normalise_mobile(text)
    digits = ascii_digits(text).replace(" ", "").replace("-", "")
    if mobile is not None:
        condition |= Q(mobile=mobile)
    elif digits.isdigit() and len(digits) >= 4:
        condition |= Q(mobile__endswith=digits)
    return Citizen.objects.filter(condition).order_by("name_en", "pk")[:limit]
