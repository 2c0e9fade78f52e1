"""Ed25519 signing of certificate payloads, and the signed token carried by the QR code.

The private key is read from ``settings.SAHAYATA_SIGNING_KEY_PATH`` (PEM, PKCS#8). In
development a key is generated there on first use (default ``var/signing-ed25519.pem``);
production provides its own and keeps it out of the repository. The public key is
published at ``/verify/public-key`` so anyone can check a QR code offline.

Token format: ``SHY1.<base64url(canonical JSON payload)>.<base64url(signature)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

TOKEN_PREFIX = "SHY1"  # noqa: S105 - a format marker, not a secret
_lock = threading.Lock()


def key_path() -> Path:
    configured = getattr(settings, "SAHAYATA_SIGNING_KEY_PATH", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "signing-ed25519.pem"


def _generate(path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


@lru_cache(maxsize=4)
def _load(path: str) -> Ed25519PrivateKey:
    with _lock:
        if not Path(path).exists():
            _generate(Path(path))
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path} is not an Ed25519 private key")
    return key


def private_key() -> Ed25519PrivateKey:
    return _load(str(key_path()))


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_id() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


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
        public_key().verify(signature, payload_bytes)
    except InvalidSignature as exc:
        raise BadToken("signature") from exc
    try:
        payload_text = payload_bytes.decode()
        payload = json.loads(payload_text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadToken("payload") from exc
    if not isinstance(payload, dict):
        raise BadToken("payload")
    return payload, payload_text


def signature_valid(payload_text: str, signature: str) -> bool:
    try:
        public_key().verify(_unb64(signature), payload_text.encode())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
