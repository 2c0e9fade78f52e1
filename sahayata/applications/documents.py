"""Uploaded documents: type by magic bytes (PDF, JPEG, PNG), at most 2 MB, stored under
``MEDIA_ROOT`` (outside the web root) with a random name, served only through a view
that checks who may see the application.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class Upload:
    """A document as received: its required-document code, file name and bytes."""

    code: str
    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedUpload:
    code: str
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def sniff(content: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` from the first bytes, or None if not accepted."""
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    return None


def upload_problem(upload: Upload) -> str | None:
    """A stable problem code, or None when the upload is acceptable."""
    if not upload.content:
        return "empty"
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        return "too_large"
    if sniff(upload.content) is None:
        return "wrong_type"
    return None


def upload_check(upload: Upload) -> CheckedUpload:
    kind = sniff(upload.content)
    if kind is None:
        raise ValueError("check upload_problem() first")
    return CheckedUpload(
        code=upload.code,
        name=Path(upload.name).name[:200] or f"{upload.code}.{kind[1]}",
        content=upload.content,
        content_type=kind[0],
        extension=kind[1],
        sha256=hashlib.sha256(upload.content).hexdigest(),
    )


def documents_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "documents"


def document_store(checked: CheckedUpload) -> str:
    """Write the file under a random name; return that name (relative to the root)."""
    root = documents_root()
    name = f"{secrets.token_hex(2)}/{secrets.token_hex(16)}.{checked.extension}"
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(checked.content)
    return name


def document_path(storage_name: str) -> Path:
    root = documents_root().resolve()
    path = (root / storage_name).resolve()
    if root not in path.parents:
        raise ValueError("path outside the documents root")
    return path
