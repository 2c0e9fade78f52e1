"""Ed25519 signing of certificate payloads, and the signed token carried by the QR code.

The private key is read from ``settings.SAHAYATA_SIGNING_KEY_PATH`` (PEM, PKCS#8). In
development a key is generated there on first use (default ``var/signing-ed25519.pem``);
production provides its own and keeps it out of the repository. The public key is
published at ``/verify/public-key`` so anyone can check a QR code offline.

Keys rotate (``manage.py certificates_rotate_key``): the retiring public key joins the
keyring, a directory of public keys (``SAHAYATA_SIGNING_KEYRING_DIR``, by default
``signing-keyring/`` beside the private key), and a new private key takes its place.
Every certificate records the ID of the key that signed it, so old ones still verify;
``/verify/public-key`` publishes the current key first, then the retired ones.

Token format: ``SHY1.<base64url(canonical JSON payload)>.<base64url(signature)>``.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from sahayata.core.keys import Ed25519Keyring, key_id_of

TOKEN_PREFIX = "SHY1"  # noqa: S105 - a format marker, not a secret


def key_path() -> Path:
    configured = getattr(settings, "SAHAYATA_SIGNING_KEY_PATH", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "signing-ed25519.pem"


def keyring_dir() -> Path:
    configured = getattr(settings, "SAHAYATA_SIGNING_KEYRING_DIR", None)
    return Path(configured) if configured else key_path().parent / "signing-keyring"


KEYRING = Ed25519Keyring(key_path, keyring_dir)


def private_key() -> Ed25519PrivateKey:
    return KEYRING.private_key()


def public_key() -> Ed25519PublicKey:
    return KEYRING.public_key()


def key_id() -> str:
    return key_id_of(public_key())


def published_keys() -> list[tuple[str, Ed25519PublicKey]]:
    """``(key ID, public key)`` of every key that may have signed a certificate: the
    current one first, then the retired ones, newest first."""
    return KEYRING.published_keys()


def public_key_for(kid: str | None) -> Ed25519PublicKey | None:
    """The published key with this ID (the current key when ``kid`` is None)."""
    return KEYRING.public_key_for(kid)


def signing_key_rotate() -> tuple[str, str]:
    """Retire the current key into the keyring and start signing with a new one.

    Returns ``(retired key ID, new key ID)``. The retired public key is written before the
    private key is replaced, so no certificate is ever left without its key.
    """
    return KEYRING.rotate()


def canonical(payload: dict[str, Any]) -> str:
    """One exact text per payload: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload_text: str) -> str:
    return _b64(private_key().sign(payload_text.encode()))


def token(payload_text: str, signature: str) -> str:
    return f"{TOKEN_PREFIX}.{_b64(payload_text.encode())}.{signature}"


class BadToken(ValueError):
    pass


def token_open(text: str) -> tuple[dict[str, Any], str]:
    """Check a token's signature; return ``(payload, payload_text)`` or raise ``BadToken``.

    Accepts the bare token or a URL carrying it after ``#`` (what the QR code holds).
    """
    text = (text or "").strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    parts = text.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise BadToken("format")
    try:
        payload_bytes = _unb64(parts[1])
        signature = _unb64(parts[2])
    except (binascii.Error, ValueError) as exc:
        raise BadToken("encoding") from exc
    try:
        payload_text = payload_bytes.decode()
        payload = json.loads(payload_text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadToken("payload") from exc
    if not isinstance(payload, dict):
        raise BadToken("payload")
    # The payload names its key; only the signature check below makes it trustworthy.
    kid = payload.get("kid")
    key = public_key_for(kid if isinstance(kid, str) else None)
    if key is None:
        raise BadToken("unknown_key")
    try:
        key.verify(signature, payload_bytes)
    except InvalidSignature as exc:
        raise BadToken("signature") from exc
    return payload, payload_text


def signature_valid(payload_text: str, signature: str, *, kid: str | None = None) -> bool:
    """The signature holds under the key ``kid`` (the current key when None)."""
    key = public_key_for(kid)
    if key is None:
        return False
    try:
        key.verify(_unb64(signature), payload_text.encode())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
