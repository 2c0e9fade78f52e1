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
_lock = threading.RLock()


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


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> Ed25519PrivateKey:
    # Keyed by the file's mtime too, so a rotation by another process is picked up.
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path} is not an Ed25519 private key")
    return key


def private_key() -> Ed25519PrivateKey:
    path = key_path()
    with _lock:
        if not path.exists():
            _generate(path)
    return _load(str(path), path.stat().st_mtime_ns)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def pem_of(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _kid(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def key_id() -> str:
    return _kid(public_key())


def keyring_dir() -> Path:
    configured = getattr(settings, "SAHAYATA_SIGNING_KEYRING_DIR", None)
    return Path(configured) if configured else key_path().parent / "signing-keyring"


@lru_cache(maxsize=64)
def _load_public(path: str, mtime_ns: int) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError(f"{path} is not an Ed25519 public key")
    return key


def published_keys() -> list[tuple[str, Ed25519PublicKey]]:
    """``(key ID, public key)`` of every key that may have signed a certificate: the
    current one first, then the retired ones, newest first."""
    current = public_key()
    keys = [(_kid(current), current)]
    directory = keyring_dir()
    retired = sorted(
        directory.glob("*.pem") if directory.is_dir() else [],
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for path in retired:
        key = _load_public(str(path), path.stat().st_mtime_ns)
        if all(_kid(key) != kid for kid, _ in keys):
            keys.append((_kid(key), key))
    return keys


def public_key_for(kid: str | None) -> Ed25519PublicKey | None:
    """The published key with this ID (the current key when ``kid`` is None)."""
    if kid is None:
        return public_key()
    return next((key for found, key in published_keys() if found == kid), None)


def signing_key_rotate() -> tuple[str, str]:
    """Retire the current key into the keyring and start signing with a new one.

    Returns ``(retired key ID, new key ID)``. The retired public key is written before the
    private key is replaced, so no certificate is ever left without its key.
    """
    with _lock:
        retiring = public_key()
        directory = keyring_dir()
        directory.mkdir(parents=True, exist_ok=True)
        retired_path = directory / f"{_kid(retiring)}.pem"
        retired_path.write_text(pem_of(retiring))
        path = key_path()
        fresh = Ed25519PrivateKey.generate()
        pem = fresh.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        staged = path.with_name(f".{path.name}.new")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.replace(staged, path)  # atomic: readers see the old key or the new one
    return _kid(retiring), _kid(fresh.public_key())


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
