"""Money and numbers as people in West Bengal read them.

Money is an integer number of paise everywhere in Sahayata. This module turns it into
text: Indian digit grouping (₹12,34,567.89), Bengali digits in Bengali
(₹১২,৩৪,৫৬৭.৮৯) and large sums in lakh and crore (₹1,000 crore / ₹১,০০০ কোটি).
Babel supplies the Indian grouping; it does not swap digits, so that part is ours.

Rounding of the words form: the amount in lakh or crore is **truncated** (towards zero)
to two decimals, never rounded up, so a figure is never overstated: ₹999.999 crore reads
"₹999.99 crore", and "₹1,000 crore" appears only once ₹1,000 crore is really reached.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_decimal
from django.utils.translation import get_language

RUPEE = "₹"
PAISE_PER_RUPEE = 100
LAKH_PAISE = 100_000 * PAISE_PER_RUPEE  # ₹1,00,000
CRORE_PAISE = 10_000_000 * PAISE_PER_RUPEE  # ₹1,00,00,000

_ASCII_DIGITS = "0123456789"
_BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"
_TO_BENGALI = str.maketrans(_ASCII_DIGITS, _BENGALI_DIGITS)
_TO_ASCII = str.maketrans(_BENGALI_DIGITS, _ASCII_DIGITS)

_UNITS = {
    "en": {"lakh": "lakh", "crore": "crore"},
    "bn": {"lakh": "লক্ষ", "crore": "কোটি"},
}

# Indian grouping (3 digits, then 2s) comes from the en_IN pattern; Babel applies it.
_GROUPED_2DP = "#,##,##0.00"
_GROUPED_UPTO_2DP = "#,##,##0.##"
_BABEL_LOCALE = "en_IN"


def _is_bengali(lang: str | None) -> bool:
    code = lang if lang is not None else (get_language() or "bn")
    return code.lower().startswith("bn")


def bengali_digits(text: str) -> str:
    """Replace ASCII digits 0-9 by Bengali digits ০-৯; everything else is kept."""
    return str(text).translate(_TO_BENGALI)


def ascii_digits(text: str) -> str:
    """Replace Bengali digits ০-৯ by ASCII digits 0-9; everything else is kept."""
    return str(text).translate(_TO_ASCII)


def _localise(text: str, lang: str | None) -> str:
    return bengali_digits(text) if _is_bengali(lang) else text


def localise_digits(text: str, lang: str | None = None) -> str:
    """``text`` with Bengali digits in Bengali (the active language by default)."""
    return _localise(text, lang)


def _sign(paise: int) -> str:
    return "-" if paise < 0 else ""


def _check_int(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer number of paise, got {type(value).__name__}")
    return value


def format_inr(paise: int, *, lang: str | None = None) -> str:
    """₹12,34,567.89 (English) or ₹১২,৩৪,৫৬৭.৮৯ (Bengali); negatives as -₹…

    ``lang`` is "bn" or "en"; None means the active language.
    """
    paise = _check_int(paise)
    rupees = Decimal(abs(paise)).scaleb(-2)
    grouped = format_decimal(rupees, format=_GROUPED_2DP, locale=_BABEL_LOCALE)
    return _localise(f"{_sign(paise)}{RUPEE}{grouped}", lang)


def format_count(n: int, lang: str | None = None) -> str:
    """A whole number with Indian grouping: 1,89,00,000 or ১,৮৯,০০,০০০."""
    n = _check_int(n)
    return _localise(format_decimal(n, format="#,##,##0", locale=_BABEL_LOCALE), lang)


def format_inr_words(paise: int, *, lang: str | None = None) -> str:
    """Large sums in lakh or crore: "₹1,000 crore", "₹২.৫ লক্ষ".

    From ₹1 crore up the unit is crore, from ₹1 lakh up it is lakh, each truncated to
    two decimals with trailing zeros dropped (see the module docstring). Below ₹1 lakh
    the exact amount is shown, without ".00" when it is a whole number of rupees.
    """
    paise = _check_int(paise)
    magnitude = abs(paise)
    units = _UNITS["bn" if _is_bengali(lang) else "en"]
    if magnitude >= LAKH_PAISE:
        unit_paise, unit = (
            (CRORE_PAISE, units["crore"])
            if magnitude >= CRORE_PAISE
            else (LAKH_PAISE, units["lakh"])
        )
        hundredths = magnitude * 100 // unit_paise  # truncation, never rounding up
        number = format_decimal(
            Decimal(hundredths).scaleb(-2), format=_GROUPED_UPTO_2DP, locale=_BABEL_LOCALE
        )
        return _localise(f"{_sign(paise)}{RUPEE}{number} {unit}", lang)
    pattern = _GROUPED_2DP if magnitude % PAISE_PER_RUPEE else "#,##,##0"
    number = format_decimal(Decimal(magnitude).scaleb(-2), format=pattern, locale=_BABEL_LOCALE)
    return _localise(f"{_sign(paise)}{RUPEE}{number}", lang)


_AMOUNT_RE = re.compile(r"^(-)?₹?\s*([0-9][0-9,]*)(?:\.([0-9]{1,2}))?$")
_WORDS_RE = re.compile(r"^(-)?₹?\s*([0-9][0-9,]*)(?:\.([0-9]{1,2}))?\s*(lakh|crore|লক্ষ|কোটি)?$")
_UNIT_PAISE = {
    "lakh": LAKH_PAISE,
    "লক্ষ": LAKH_PAISE,
    "crore": CRORE_PAISE,
    "কোটি": CRORE_PAISE,
}


def _hundredths(whole: str, fraction: str | None) -> int:
    return int(whole.replace(",", "")) * 100 + int((fraction or "0").ljust(2, "0"))


def parse_inr(text: str) -> int:
    """Paise from an amount as written by ``format_inr`` (either digits). ValueError if not."""
    match = _AMOUNT_RE.match(ascii_digits(text).strip())
    if match is None:
        raise ValueError(f"not an amount of rupees: {text!r}")
    sign, whole, fraction = match.groups()
    value = _hundredths(whole, fraction)
    return -value if sign else value


def parse_inr_words(text: str) -> int:
    """Paise from text as written by ``format_inr_words`` (lakh/crore, either language)."""
    match = _WORDS_RE.match(ascii_digits(text).strip())
    if match is None:
        raise ValueError(f"not an amount of rupees: {text!r}")
    sign, whole, fraction, unit = match.groups()
    hundredths = _hundredths(whole, fraction)
    value = hundredths * _UNIT_PAISE[unit] // 100 if unit else hundredths
    return -value if sign else value
