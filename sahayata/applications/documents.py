"""Uploaded documents: type by magic bytes (PDF, JPEG, PNG), at most 2 MB, stored under
``MEDIA_ROOT`` (outside the web root) with a random name, served only through a view
that checks who may see the application.

A document is written inside the submission's transaction, so the file must not outlive
a rollback: it is written under ``.staging/`` and moved to its place on commit. A failure
inside the submission deletes it at once; after a rollback further out (the API's
idempotency record, a crash), ``documents_sweep`` deletes staged files that no row names
and finishes the move of those that one does. ``documents_expire`` erases the documents of
applications closed longer ago than ``SAHAYATA_DOCUMENT_RETENTION_DAYS`` (the same job).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

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


STAGING = ".staging"


def staging_root() -> Path:
    return documents_root() / STAGING


def document_store(checked: CheckedUpload) -> str:
    """Stage the file under a random name, to be moved into place when the transaction
    commits; return the name (relative to the root)."""
    name = f"{secrets.token_hex(2)}/{secrets.token_hex(16)}.{checked.extension}"
    staged = staging_root() / name
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(checked.content)
    transaction.on_commit(lambda: document_promote(name))
    return name


def document_promote(storage_name: str) -> None:
    """Move a staged file into place (after commit). Safe to repeat."""
    staged = staging_root() / storage_name
    final = documents_root() / storage_name
    final.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):  # already moved
        os.replace(staged, final)


def document_discard(storage_name: str) -> None:
    """Delete a staged file whose transaction failed."""
    (staging_root() / storage_name).unlink(missing_ok=True)


def document_path(storage_name: str) -> Path:
    """Where the file is: in place, or still staged between commit and the move."""
    root = documents_root().resolve()
    path = (root / storage_name).resolve()
    if root not in path.parents or STAGING in path.relative_to(root).parts:
        raise ValueError("path outside the documents root")
    if not path.exists():
        staged = (root / STAGING / storage_name).resolve()
        if staged.exists():
            return staged
    return path


def documents_sweep(*, older_than_seconds: int = 3600) -> dict[str, int]:
    """Settle staged files older than the grace period: move those a committed row names,
    delete the others (left by a rollback or a crash)."""
    from sahayata.applications.models import ApplicationDocument

    root = staging_root()
    counts = {"moved": 0, "deleted": 0}
    if not root.is_dir():
        return counts
    cutoff = time.time() - older_than_seconds
    for staged in root.glob("*/*"):
        if not staged.is_file() or staged.stat().st_mtime > cutoff:
            continue
        name = staged.relative_to(root).as_posix()
        if ApplicationDocument.objects.filter(storage_name=name).exists():
            document_promote(name)
            counts["moved"] += 1
        else:
            staged.unlink(missing_ok=True)
            counts["deleted"] += 1
    return counts


def documents_expire(
    *,
    now: dt.datetime | None = None,
    retention_days: int | None = None,
    limit: int = 1000,
) -> int:
    """Erase the uploaded documents of applications closed more than the retention period
    ago (``SAHAYATA_DOCUMENT_RETENTION_DAYS``; 0 keeps them for ever): the file and its
    row. The application, its history and one audit event per application, naming what
    was erased (code, size, SHA-256; never the content), remain. Returns how many."""
    from sahayata.applications.models import ApplicationDocument
    from sahayata.audit.services import event_record

    days = settings.SAHAYATA_DOCUMENT_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    due = list(
        ApplicationDocument.objects.filter(
            application__is_open=False, application__closed_at__lt=cutoff
        ).order_by("application_id", "pk")[:limit]
    )
    by_application: dict[int, list[ApplicationDocument]] = {}
    for document in due:
        by_application.setdefault(document.application_id, []).append(document)
    for application_id, documents in by_application.items():
        names = [document.storage_name for document in documents]
        with transaction.atomic():
            event_record(
                action="application.documents_expire",
                object_type="application",
                object_id=application_id,
                actor_label="documents_sweep",
                before={
                    "documents": [
                        {"code": d.code, "size": d.size, "sha256": d.sha256} for d in documents
                    ]
                },
                after={"retention_days": days},
            )
            ApplicationDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
            transaction.on_commit(functools.partial(_files_delete, names))
    return len(due)


def _files_delete(storage_names: list[str]) -> None:
    for name in storage_names:
        (documents_root() / name).unlink(missing_ok=True)
        (staging_root() / name).unlink(missing_ok=True)
