"""Template filters for money and counts: ``{% load money %}``.

    {{ paise|inr }}        ₹12,34,567.89 / ₹১২,৩৪,৫৬৭.৮৯
    {{ paise|inr_words }}  ₹1,000 crore / ₹১,০০০ কোটি
    {{ n|count }}          1,89,00,000 / ১,৮৯,০০,০০০

All follow the active language. ``None`` or an empty value renders as an empty string.
"""

from __future__ import annotations

from typing import Any

from django import template

from sahayata.core.money import format_count, format_inr, format_inr_words

register = template.Library()


def _as_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    return int(value)


@register.filter
def inr(paise: Any) -> str:
    value = _as_int(paise)
    return "" if value is None else format_inr(value)


@register.filter
def inr_words(paise: Any) -> str:
    value = _as_int(paise)
    return "" if value is None else format_inr_words(value)


@register.filter
def count(number: Any) -> str:
    value = _as_int(number)
    return "" if value is None else format_count(value)
