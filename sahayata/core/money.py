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
from django.utils.translation import gettext_lazy as _

RUPEE = "₹"
PAISE_PER_RUPEE = 100
LAKH_PAISE = 100_000 * PAISE_PER_RUPEE  # ₹1,00,000
CRORE_PAISE = 10_000_000 * PAISE_PER_RUPEE  # ₹1,00,00,000
# The largest amount that one input, fee head or transfer may carry (API.md: 1 to 10^15),
# ₹1 crore crore: far above any real payment, far below what a 64-bit column can add up.
MAX_AMOUNT_PAISE = 10**15

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


# --- Amounts as people type them ------------------------------------------------------

# What a person may put around the figures: ₹ / Rs. / INR before, "/-" after, spaces.
_AFFIXES_RE = re.compile(r"^(?:₹|rs\.?|inr)\s*|\s*/-$", re.IGNORECASE)
_SPACES_RE = re.compile(r"[\s\u00a0\u2009\u202f]+")
# Plain digits, or commas in the Indian (16,50,000) or the international (1,650,000) way.
_TYPED_RE = re.compile(
    r"^([0-9]+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3})(?:\.([0-9]*))?$"
)


# What a person reads when an amount field is refused, by AmountError code.
AMOUNT_PROBLEMS = {
    "not_an_amount": _("Enter the amount in rupees, as 1650, 1,650.50 or ১,৬৫০."),
    "too_many_decimals": _("Enter at most two digits of paise after the point."),
    "negative": _("The amount cannot be negative."),
    "zero": _("The amount must be more than zero."),
}


class AmountError(ValueError):
    """An amount that cannot be read; ``code`` is stable: ``not_an_amount``,
    ``too_many_decimals``, ``negative`` or ``zero``."""

    def __init__(self, code: str, text: str = "") -> None:
        super().__init__(f"{code}: {text!r}")
        self.code = code


def parse_rupees(text: str, *, allow_zero: bool = False) -> int:
    """Integer paise from rupees as a person writes them, in either script.

    ``1650``, ``1,650.00``, ``1,650.5``, ``₹১,৬৫০``, ``16,50,000``, ``Rs. 1650/-``.
    Refused (AmountError): anything else, more than two decimals, a negative amount, and
    zero unless ``allow_zero``. The browser's echo (core/static/core/amount.js) follows
    the same rules; this function decides.
    """
    cleaned = _SPACES_RE.sub("", ascii_digits(str(text)))
    negative = cleaned[:1] in {"-", "−"}
    if negative:
        cleaned = cleaned[1:]
    cleaned = _AFFIXES_RE.sub("", _AFFIXES_RE.sub("", cleaned))
    if cleaned[:1] in {"-", "−"}:  # "₹-50"
        negative, cleaned = True, cleaned[1:]
    match = _TYPED_RE.match(cleaned)
    if match is None:
        raise AmountError("not_an_amount", text)
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > 2:
        raise AmountError("too_many_decimals", text)
    paise = _hundredths(whole, fraction)
    if negative and paise:
        raise AmountError("negative", text)
    if paise == 0 and not allow_zero:
        raise AmountError("zero", text)
    return paise


def rupees_input(paise: int) -> str:
    """What an amount field shows for ``paise``: ``1650`` or ``1650.50`` (ASCII, no ₹),
    which ``parse_rupees`` reads back."""
    rupees, rest = divmod(_check_int(paise), PAISE_PER_RUPEE)
    return f"{rupees}.{rest:02d}" if rest else str(rupees)


# --- Amounts in words (Indian system: thousand, lakh, crore) --------------------------

# fmt: off
_EN_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_BN_SMALL = (
    "শূন্য", "এক", "দুই", "তিন", "চার", "পাঁচ", "ছয়", "সাত", "আট", "নয়", "দশ", "এগারো",
    "বারো", "তেরো", "চোদ্দো", "পনেরো", "ষোলো", "সতেরো", "আঠারো", "উনিশ", "কুড়ি", "একুশ",
    "বাইশ", "তেইশ", "চব্বিশ", "পঁচিশ", "ছাব্বিশ", "সাতাশ", "আঠাশ", "ঊনত্রিশ", "তিরিশ",
    "একত্রিশ", "বত্রিশ", "তেত্রিশ", "চৌত্রিশ", "পঁয়ত্রিশ", "ছত্রিশ", "সাঁইত্রিশ", "আটত্রিশ",
    "ঊনচল্লিশ", "চল্লিশ", "একচল্লিশ", "বিয়াল্লিশ", "তেতাল্লিশ", "চুয়াল্লিশ", "পঁয়তাল্লিশ",
    "ছেচল্লিশ", "সাতচল্লিশ", "আটচল্লিশ", "ঊনপঞ্চাশ", "পঞ্চাশ", "একান্ন", "বাহান্ন",
    "তিপ্পান্ন", "চুয়ান্ন", "পঞ্চান্ন", "ছাপ্পান্ন", "সাতান্ন", "আটান্ন", "ঊনষাট", "ষাট",
    "একষট্টি", "বাষট্টি", "তেষট্টি", "চৌষট্টি", "পঁয়ষট্টি", "ছেষট্টি", "সাতষট্টি", "আটষট্টি",
    "ঊনসত্তর", "সত্তর", "একাত্তর", "বাহাত্তর", "তিয়াত্তর", "চুয়াত্তর", "পঁচাত্তর",
    "ছিয়াত্তর", "সাতাত্তর", "আটাত্তর", "ঊনআশি", "আশি", "একাশি", "বিরাশি", "তিরাশি", "চুরাশি",
    "পঁচাশি", "ছিয়াশি", "সাতাশি", "অষ্টআশি", "ঊননব্বই", "নব্বই", "একানব্বই", "বিরানব্বই",
    "তিরানব্বই", "চুরানব্বই", "পঁচানব্বই", "ছিয়ানব্বই", "সাতানব্বই", "আটানব্বই", "নিরানব্বই",
)
# fmt: on
_EN_SMALL = tuple(
    _EN_ONES[n] if n < 20 else _EN_TENS[n // 10] + ("-" + _EN_ONES[n % 10] if n % 10 else "")
    for n in range(100)
)

# The tables the browser's echo uses too (sent to it as JSON): one source of the words.
AMOUNT_WORDS: dict[str, dict[str, object]] = {
    "en": {
        "small": list(_EN_SMALL),
        "hundreds": [""] + [f"{_EN_SMALL[n]} hundred" for n in range(1, 10)],
        "thousand": "thousand",
        "lakh": "lakh",
        "crore": "crore",
        "rupees": "Rupees {rupees} only",
        "rupees_paise": "Rupees {rupees} and {paise} paise only",
    },
    "bn": {
        "small": list(_BN_SMALL),
        "hundreds": ["", "একশো", "দুশো", "তিনশো", "চারশো", "পাঁচশো", "ছয়শো", "সাতশো", "আটশো", "নয়শো"],
        "thousand": "হাজার",
        "lakh": "লক্ষ",
        "crore": "কোটি",
        "rupees": "{rupees} টাকা মাত্র",
        "rupees_paise": "{rupees} টাকা {paise} পয়সা মাত্র",
    },
}


def _number_words(n: int, table: dict[str, object]) -> str:
    """A whole number in words, Indian style: crore, lakh, thousand, hundred."""
    small: list[str] = table["small"]  # type: ignore[assignment]
    hundreds: list[str] = table["hundreds"]  # type: ignore[assignment]
    if n == 0:
        return small[0]
    parts = []
    crore, n = divmod(n, 10_000_000)
    if crore:
        parts.append(f"{_number_words(crore, table)} {table['crore']}")
    lakh, n = divmod(n, 100_000)
    if lakh:
        parts.append(f"{small[lakh]} {table['lakh']}")
    thousand, n = divmod(n, 1_000)
    if thousand:
        parts.append(f"{small[thousand]} {table['thousand']}")
    hundred, n = divmod(n, 100)
    if hundred:
        parts.append(hundreds[hundred])
    if n:
        parts.append(small[n])
    return " ".join(parts)


def amount_in_words(paise: int, *, lang: str | None = None) -> str:
    """``Rupees one thousand six hundred fifty only`` / ``এক হাজার ছয়শো পঞ্চাশ টাকা মাত্র``.

    As on a cheque or a receipt: the rupees, then the paise if any. ``lang`` is "bn" or
    "en"; None means the active language. Negative amounts are refused (ValueError).
    """
    if _check_int(paise) < 0:
        raise ValueError("an amount in words is never negative")
    table = AMOUNT_WORDS["bn" if _is_bengali(lang) else "en"]
    rupees, rest = divmod(paise, PAISE_PER_RUPEE)
    words = _number_words(rupees, table)
    if rest:
        template = str(table["rupees_paise"])
        return template.format(rupees=words, paise=_number_words(rest, table))
    return str(table["rupees"]).format(rupees=words)
