"""Pure rules of the audit trail: what an event may contain, and its content hash.

``scrub`` is applied to every before and after: a key that names a secret (passwords,
token hashes, salts, keys) is dropped, and anything that looks like a 12-digit Aadhaar
number is masked to its last four digits, so no secret and no Aadhaar number is ever
stored in an event, whatever a caller passes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sahayata.core import chain

SECRET_KEY_PARTS = (
    "password",
    "secret",
    "token",
    "key_hash",
    "hmac",
    "salt",
    "signature",
    "otp",
    "aadhaar",
)
# Twelve digits, optionally grouped 4-4-4 by spaces or hyphens, not inside a longer number.
AADHAAR_LIKE = re.compile(r"(?<!\d)\d{4}[ -]?\d{4}[ -]?(\d{4})(?!\d)")
REMOVED = "[removed]"


@functools.lru_cache(maxsize=1024)
def _secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SECRET_KEY_PARTS) and lowered != "aadhaar_masked"


def scrub(value: Any) -> Any:
    """``value`` as plain JSON with secrets removed and Aadhaar-like numbers masked."""
    if isinstance(value, Mapping):
        return {
            str(key): (REMOVED if _secret_key(str(key)) else scrub(item))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [scrub(item) for item in items]
    if isinstance(value, str):
        return AADHAAR_LIKE.sub(lambda m: "XXXX-XXXX-" + m.group(1), value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return scrub(str(value))


# Who made a write, as an event names it.
ACTOR_FIELDS = (
    "actor_kind",
    "actor_user_id",
    "actor_username",
    "actor_role",
    "api_token_id",
    "actor_label",
)
# The fields a content hash covers, in this order (the sealer and audit_verify agree).
HASHED_FIELDS = (
    "id",
    "at",
    *ACTOR_FIELDS,
    "action",
    "object_type",
    "object_id",
    "ip",
    "request_id",
    "before",
    "after",
)


def event_content_hash(values: Mapping[str, Any]) -> str:
    """The content hash of an event from its stored field values (``HASHED_FIELDS``)."""
    return chain.content_hash([values[name] for name in HASHED_FIELDS])
