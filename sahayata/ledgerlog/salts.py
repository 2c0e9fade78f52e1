"""The one place a transparency-log salt is drawn (for an application or a top-up)."""

from __future__ import annotations

import secrets

SALT_BYTES = 16


def log_salt_new() -> str:
    """128 random bits in hex: a receipt's holder opens its leaves, nobody can guess them."""
    return secrets.token_hex(SALT_BYTES)
