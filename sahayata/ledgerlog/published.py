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


def head_write(head: dict[str, Any]) -> Path:
    """Write one published head (whole file or nothing: a temporary file renamed)."""
    directory = publish_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"head-{int(head['tree_size']):012d}.json"
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({name: head[name] for name in FIELDS}, indent=1) + "\n")
    os.replace(temporary, path)
    return path


def heads_read() -> tuple[list[dict[str, Any]], list[str]]:
    """Every published head, by tree size, and the names of files that are no head."""
    directory = publish_dir()
    heads: list[dict[str, Any]] = []
    unreadable: list[str] = []
    if not directory.is_dir():
        return heads, unreadable
    for path in sorted(directory.glob("head-*.json")):
        try:
            head = json.loads(path.read_text())
            if not isinstance(head, dict) or any(name not in head for name in FIELDS):
                raise ValueError("fields")
            if not all(isinstance(head[name], int) for name in ("tree_size", "seal_seq")):
                raise ValueError("sizes")
        except (OSError, ValueError) as error:
            unreadable.append(f"{path.name} ({error.__class__.__name__})")
            continue
        heads.append(head)
    heads.sort(key=lambda head: head["tree_size"])
    return heads, unreadable
