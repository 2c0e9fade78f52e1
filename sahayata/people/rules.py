"""Pure rules about citizens' identifiers (no database): mobile numbers and Aadhaar.

An Aadhaar number is 12 digits, does not start with 0 or 1, and ends with a Verhoeff
check digit. It is never stored: only ``aadhaar_mask`` (XXXX-XXXX-1234) and
``aadhaar_hmac`` (HMAC-SHA256 keyed by settings.SAHAYATA_AADHAAR_HMAC_KEY) are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from sahayata.core.money import ascii_digits

# Verhoeff tables: multiplication in the dihedral group D5, the permutation, the inverse.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

_SEPARATORS = re.compile(r"[\s\-]")
_MOBILE_RE = re.compile(r"^[6-9][0-9]{9}$")
_AADHAAR_RE = re.compile(r"^[2-9][0-9]{11}$")


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Verhoeff check digit."""
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def verhoeff_check_digit(digits: str) -> str:
    """The Verhoeff check digit to append to ``digits``."""
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[check])


def normalise_mobile(raw: str) -> str | None:
    """A 10-digit Indian mobile number (starting 6-9) or None.

    Accepts spaces and hyphens, Bengali digits, and a +91, 91 or 0 prefix.
    """
    digits = _SEPARATORS.sub("", ascii_digits(str(raw or "")))
    if digits.startswith("+91"):
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits if _MOBILE_RE.match(digits) else None


def normalise_aadhaar(raw: str) -> str | None:
    """The 12 digits of a valid Aadhaar number (spaces/hyphens/Bengali digits allowed) or None."""
    digits = _SEPARATORS.sub("", ascii_digits(str(raw or "")))
    if not _AADHAAR_RE.match(digits) or not verhoeff_valid(digits):
        return None
    return digits


def aadhaar_mask(digits: str) -> str:
    return f"XXXX-XXXX-{digits[-4:]}"


def aadhaar_hmac(digits: str, *, key: str) -> str:
    return hmac.new(key.encode(), digits.encode(), hashlib.sha256).hexdigest()
