"""Signed heads kept outside the database: the anchor that a database writer cannot move.

``log_publish`` writes every head it signs to ``SAHAYATA_LOG_PUBLISH_DIR`` (default
``var/log-published/``), one file a head, ``head-<tree size>.json``, after its transaction
commits. Besides the head of the API contract, each file carries the wallet's **seal
chain head** at that moment (``seal_seq``, ``seal_chain_hash``: every transfer, holds and
voids included, hash-chained by ``ledger_seal``), signed by the log key too
(``seal_message``). An operator mirrors the directory to a public place (a web server, a
git repository, a newspaper notice of the daily root): anything in the database can be
rewritten, a copy that others hold cannot. ``ledger_check`` reads every file and fails if
the ledger no longer matches one (a rewrite) or ends before one (a truncation).

The audit trail's sealer publishes its chain head to the same directory the same way
(``audit-<seal seq>.json``: ``seal_seq``, ``chain_hash``, the latest pruning checkpoint,
all signed by the log key, ``audit_message``), and ``audit_verify`` checks the trail
against every one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings

SEAL_PREFIX = "sahayata-seal-v1"
FIELDS = (
    "tree_size",
    "root_hash",
    "timestamp",
    "previous_root_hash",
    "key_id",
    "signature",
    "seal_seq",
    "seal_chain_hash",
    "seal_signature",
)


def publish_dir() -> Path:
    configured = getattr(settings, "SAHAYATA_LOG_PUBLISH_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "log-published"


def seal_message(*, tree_size: int, root_hash: str, seal_seq: int, seal_chain_hash: str) -> bytes:
    """What the log key signs about the seal chain: bound to the head it is published with."""
    return f"{SEAL_PREFIX}\n{tree_size}\n{root_hash}\n{seal_seq}\n{seal_chain_hash}\n".encode()


AUDIT_PREFIX = "sahayata-audit-v1"
AUDIT_FIELDS = (
    "seal_seq",
    "chain_hash",
    "sealed_at",
    "checkpoint_seq",
    "checkpoint_hash",
    "key_id",
    "signature",
)


def audit_message(
    *, seal_seq: int, chain_hash: str, sealed_at: str, checkpoint_seq: int, checkpoint_hash: str
) -> bytes:
    """What the log key signs about the audit trail: its seal head and the checkpoint it
    resumes from (a pruned prefix), so neither can be moved without the key."""
    return (
        f"{AUDIT_PREFIX}\n{seal_seq}\n{chain_hash}\n{sealed_at}\n"
        f"{checkpoint_seq}\n{checkpoint_hash}\n"
    ).encode()


def _write(
    name: str, fields: tuple[str, ...], head: dict[str, Any], *, replace: bool = True
) -> Path | None:
    """Write one published head (whole file or nothing: a temporary file renamed). With
    ``replace`` false an existing file is kept and None returned: a head published once is
    evidence, and a chain rewritten to the same length must not overwrite it."""
    directory = publish_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({field: head[field] for field in fields}, indent=1) + "\n")
    if replace:
        os.replace(temporary, path)
        return path
    try:
        os.link(temporary, path)  # fails if the name exists: no overwrite, no race
    except FileExistsError:
        return None
    finally:
        temporary.unlink()
    return path


def _read(
    pattern: str, fields: tuple[str, ...], numbers: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every file matching ``pattern`` with all ``fields`` (``numbers`` integers), by its
    first number, and the names of files that are no head."""
    directory = publish_dir()
    heads: list[dict[str, Any]] = []
    unreadable: list[str] = []
    if not directory.is_dir():
        return heads, unreadable
    for path in sorted(directory.glob(pattern)):
        try:
            head = json.loads(path.read_text())
            if not isinstance(head, dict) or any(name not in head for name in fields):
                raise ValueError("fields")
            if not all(isinstance(head[name], int) for name in numbers):
                raise ValueError("sizes")
        except (OSError, ValueError) as error:
            unreadable.append(f"{path.name} ({error.__class__.__name__})")
            continue
        heads.append(head)
    heads.sort(key=lambda head: head[numbers[0]])
    return heads, unreadable


def head_write(head: dict[str, Any]) -> Path | None:
    """Write one published head of the log (``head-<tree size>.json``)."""
    return _write(f"head-{int(head['tree_size']):012d}.json", FIELDS, head)


def heads_read() -> tuple[list[dict[str, Any]], list[str]]:
    """Every published head of the log, by tree size, and the names of files that are no head."""
    return _read("head-*.json", FIELDS, ("tree_size", "seal_seq"))


def audit_head_write(head: dict[str, Any]) -> Path | None:
    """Write one published head of the audit trail (``audit-<seal seq>-<checkpoint
    seq>.json``), never over one already there (None then)."""
    name = f"audit-{int(head['seal_seq']):012d}-{int(head['checkpoint_seq']):012d}.json"
    return _write(name, AUDIT_FIELDS, head, replace=False)


def audit_heads_read() -> tuple[list[dict[str, Any]], list[str]]:
    """Every published head of the audit trail, by seal number, and the unreadable files."""
    return _read("audit-*.json", AUDIT_FIELDS, ("seal_seq", "checkpoint_seq"))
