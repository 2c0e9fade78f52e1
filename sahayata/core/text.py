"""Text that may reach the database: PostgreSQL refuses NUL in text, and no name,
code or query of ours holds a control character, so such input is refused early."""

from __future__ import annotations

import unicodedata


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a control character (NUL, escape, tab, newline …)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


# Zero-width joiner and non-joiner shape Bengali conjuncts (র‍্য, ক্‌ষ): kept between two
# Bengali characters, dropped anywhere else, like every other invisible format character.
_JOINERS = {"\u200c", "\u200d"}


def _script(ch: str) -> str | None:
    """The script of a letter or mark (LATIN, BENGALI, CYRILLIC…), None for the rest."""
    if not unicodedata.category(ch).startswith(("L", "M")):
        return None
    word = unicodedata.name(ch, "").split(" ", 1)[0]
    return None if word in ("", "COMBINING", "MODIFIER") else word


def name_clean(text: str) -> str:
    """A person's name as stored: NFC, without invisible format characters (zero-width
    space, BOM, direction marks…) except joiners inside Bengali words, spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    kept: list[str] = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) != "Cf":
            kept.append(ch)
        elif ch in _JOINERS:
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if _script(before) == "BENGALI" and _script(after) == "BENGALI":
                kept.append(ch)
    return " ".join("".join(kept).split())


def name_mixes_scripts(text: str) -> bool:
    """True when one word of ``text`` mixes scripts (Latin with Cyrillic, Greek or
    Bengali…), the trick of look-alike names; words of different scripts may sit side by
    side ("Rina দাস")."""
    for word in text.split():
        scripts = {script for script in map(_script, word) if script is not None}
        if len(scripts) > 1:
            return True
    return False


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> object:
    """A value for a CSV cell that a spreadsheet shows as text, never runs: text starting
    with ``= + - @`` (or a tab or line break) gets a leading apostrophe, as OWASP
    advises. Numbers are left as they are, so a negative amount stays a number."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
