"""The log's Ed25519 key, apart from the certificate key, and the signed head's message.

Key at ``SAHAYATA_LOG_KEY_PATH`` (default ``var/log-ed25519.pem``, generated on first use in
development), retired keys in ``SAHAYATA_LOG_KEYRING_DIR`` (default ``log-keyring/`` beside
it); ``manage.py log_rotate_key`` rotates it as ``certificates_rotate_key`` does the other.
The message is fixed by the API contract, so outside verifiers can rebuild it.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from sahayata.core.keys import Ed25519Keyring, raw_of

MESSAGE_PREFIX = "sahayata-log-v1"


def key_path() -> Path:
    configured = getattr(settings, "SAHAYATA_LOG_KEY_PATH", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "log-ed25519.pem"


def keyring_dir() -> Path:
    configured = getattr(settings, "SAHAYATA_LOG_KEYRING_DIR", None)
    return Path(configured) if configured else key_path().parent / "log-keyring"


LOG_KEYRING = Ed25519Keyring(key_path, keyring_dir)


def head_message(
    *, tree_size: int, root_hash: str, timestamp: str, previous_root_hash: str
) -> bytes:
    return (
        f"{MESSAGE_PREFIX}\n{tree_size}\n{root_hash}\n{timestamp}\n{previous_root_hash}\n"
    ).encode()


def head_sign(message: bytes) -> tuple[str, str]:
    """``(key ID, base64 signature)`` under the current log key."""
    key = LOG_KEYRING.private_key()
    return LOG_KEYRING.key_id(), base64.b64encode(key.sign(message)).decode()


def signature_valid(key: Ed25519PublicKey | None, signature: str, message: bytes) -> bool:
    """Whether ``signature`` (base64) is ``key``'s over ``message`` (no key: it is not)."""
    try:
        if key is None:
            raise InvalidSignature()
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


def public_keys() -> list[dict[str, str]]:
    """The raw 32-byte keys in base64, current first."""
    return [
        {"key_id": kid, "public_key": base64.b64encode(raw_of(key)).decode()}
        for kid, key in LOG_KEYRING.published_keys()
    ]
