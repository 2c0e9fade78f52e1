"""Template filters for money and counts: ``{% load money %}``.

    {{ paise|inr }}        ₹12,34,567.89 / ₹১২,৩৪,৫৬৭.৮৯
    {{ paise|inr_words }}  ₹1,000 crore / ₹১,০০০ কোটি
    {{ n|count }}          1,89,00,000 / ১,৮৯,০০,০০০
    {{ paise|amount_words }}  Rupees one thousand six hundred fifty only
    {% amount_script %}    the live amount echo of ``data-amount`` inputs
    {{ day|date:"d-m-Y"|digits }}  28-11-2026 / ২৮-১১-২০২৬

All follow the active language. ``None``, a float or anything that is not a whole number
renders as an empty string: money is integer paise.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script
from django.utils.translation import get_language

from sahayata.core.money import (
    AMOUNT_PROBLEMS,
    AMOUNT_WORDS,
    amount_in_words,
    format_count,
    format_inr,
    format_inr_words,
    localise_digits,
)

register = template.Library()


def _as_int(value: Any) -> int | None:
    # Like Django's own filters, a value that is not a whole number renders as nothing.
    if value is None or isinstance(value, (bool, float)):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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


@register.filter
def digits(text: Any) -> str:
    """The digits of ``text`` (a formatted date, a number) in the active language's script."""
    return "" if text is None else localise_digits(str(text))


@register.simple_tag
def amount_script() -> str:
    """The settings and the script of the live amount echo (``data-amount`` inputs): the
    words tables and the messages of ``core.money``, in the page's language."""
    lang = "bn" if (get_language() or "bn").startswith("bn") else "en"
    config = {
        "lang": lang,
        "words": AMOUNT_WORDS[lang],
        "problems": {code: str(text) for code, text in AMOUNT_PROBLEMS.items()},
    }
    return format_html(
        '{}<script src="{}" defer></script>',
        json_script(config, "amount-config"),
        static("core/amount.js"),
    )


@register.filter
def amount_words(paise: Any) -> str:
    """``{{ paise|amount_words }}``: Rupees one thousand six hundred fifty only."""
    value = _as_int(paise)
    return "" if value is None or value < 0 else amount_in_words(value)
