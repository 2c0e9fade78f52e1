"""Ed25519 keys on disk, rotatable: one private key file and a keyring of retired public keys.

Certificates and the transparency log each sign with their own ``Ed25519Keyring`` (two
files, two keyrings), so that a leaked or rotated certificate key never touches the log.
In development a key is generated on first use; production provides its own file and
keeps it out of the repository. Rotation writes the retiring public key into the keyring
before replacing the private key, so nothing signed is ever left without its key.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def _pkcs8(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def pem_of(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def raw_of(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(raw_of(key)).hexdigest()[:16]


@lru_cache(maxsize=16)
def _load_private(path: str, mtime_ns: int) -> Ed25519PrivateKey:
    # Keyed by the file's mtime too, so a rotation by another process is picked up.
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path} is not an Ed25519 private key")
    return key


@lru_cache(maxsize=128)
def _load_public(path: str, mtime_ns: int) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError(f"{path} is not an Ed25519 public key")
    return key


class Ed25519Keyring:
    """A private key at ``key_path()`` and retired public keys in ``keyring_dir()``.

    Both are callables so that settings changed at run time (tests) are followed.
    """

    def __init__(self, key_path: Callable[[], Path], keyring_dir: Callable[[], Path]) -> None:
        self.key_path = key_path
        self.keyring_dir = keyring_dir
        self._lock = threading.RLock()

    def _generate(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once must not each write a different key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as handle:
            handle.write(_pkcs8(Ed25519PrivateKey.generate()))

    def private_key(self) -> Ed25519PrivateKey:
        path = self.key_path()
        with self._lock:
            if not path.exists():
                self._generate(path)
        return _load_private(str(path), path.stat().st_mtime_ns)

    def public_key(self) -> Ed25519PublicKey:
        return self.private_key().public_key()

    def key_id(self) -> str:
        return key_id_of(self.public_key())

    def published_keys(self) -> list[tuple[str, Ed25519PublicKey]]:
        """``(key ID, public key)`` of every key that may have signed: the current one
        first, then the retired ones, newest first."""
        current = self.public_key()
        keys = [(key_id_of(current), current)]
        directory = self.keyring_dir()
        retired = sorted(
            directory.glob("*.pem") if directory.is_dir() else [],
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for path in retired:
            key = _load_public(str(path), path.stat().st_mtime_ns)
            if all(key_id_of(key) != kid for kid, _ in keys):
                keys.append((key_id_of(key), key))
        return keys

    def public_key_for(self, kid: str | None) -> Ed25519PublicKey | None:
        """The published key with this ID (the current key when ``kid`` is None)."""
        if kid is None:
            return self.public_key()
        return next((key for found, key in self.published_keys() if found == kid), None)

    def rotate(self) -> tuple[str, str]:
        """Retire the current key into the keyring and start signing with a new one.
        Returns ``(retired key ID, new key ID)``."""
        with self._lock:
            retiring = self.public_key()
            directory = self.keyring_dir()
            directory.mkdir(parents=True, exist_ok=True)
            (directory / f"{key_id_of(retiring)}.pem").write_text(pem_of(retiring))
            path = self.key_path()
            fresh = Ed25519PrivateKey.generate()
            staged = path.with_name(f".{path.name}.new")
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_pkcs8(fresh))
            os.replace(staged, path)  # atomic: readers see the old key or the new one
        return key_id_of(retiring), key_id_of(fresh.public_key())
