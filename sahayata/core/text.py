"""Text that may reach the database: PostgreSQL refuses NUL in text, and no name,
code or query of ours holds a control character, so such input is refused early."""

from __future__ import annotations

import unicodedata


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a control character (NUL, escape, tab, newline …)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)
