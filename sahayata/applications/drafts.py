"""Drafts of counter forms: what was typed, kept between the form and its confirmation,
across Back and reload, and across a login when the session had ended.

A draft is keyed by the form's token. The typed values live in the session (a few, the
latest kept); the documents attached live as files under the documents' staging folder,
named by a hash of the operator and the token, so the confirmation step does not ask the
operator to upload them again over a slow link. ``documents_sweep`` deletes those files
after an hour like any staged file that no application names; a submission deletes them
at once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sahayata.applications.documents import Upload, staging_root

SESSION_KEY = "counter_drafts"
MAX_DRAFTS = 5
MAX_VALUE = 5_000  # characters of one typed value; form fields allow a few hundred
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
_CODE_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
DRAFTS_DIR = "drafts"  # one level under staging: documents_sweep looks there


def token_valid(token: str) -> bool:
    return bool(TOKEN_RE.match(token or ""))


def draft_save(
    session: Any,
    *,
    token: str,
    values: Mapping[str, str],
    contact_email: str = "",
    session_ended: bool = False,
) -> None:
    """Keep what was typed in the form ``token`` (strings only, as posted)."""
    drafts = dict(session.get(SESSION_KEY) or {})
    drafts.pop(token, None)
    drafts[token] = {
        # Bounded, as an ended session's draft is kept for a visitor not yet logged in: a
        # value longer than any form field allows is dropped (never cut to look valid).
        "values": {
            str(k): str(v) for k, v in list(values.items())[:100] if len(str(v)) <= MAX_VALUE
        },
        "contact_email": contact_email[:254],
        "session_ended": session_ended,
    }
    while len(drafts) > MAX_DRAFTS:  # oldest first: dicts keep insertion order
        drafts.pop(next(iter(drafts)))
    session[SESSION_KEY] = drafts


def draft_get(session: Any, token: str) -> dict[str, Any] | None:
    draft = (session.get(SESSION_KEY) or {}).get(token)
    return dict(draft) if isinstance(draft, dict) else None


def draft_seen(session: Any, token: str) -> None:
    """The operator has been told that the session had ended; do not say it again."""
    drafts = dict(session.get(SESSION_KEY) or {})
    if token in drafts:
        drafts[token] = {**drafts[token], "session_ended": False}
        session[SESSION_KEY] = drafts


def draft_drop(session: Any, token: str, *, owner_id: int) -> None:
    drafts = dict(session.get(SESSION_KEY) or {})
    if drafts.pop(token, None) is not None:
        session[SESSION_KEY] = drafts
    for path in _stash_files(owner_id, token):
        path.unlink(missing_ok=True)


def _stash_prefix(owner_id: int, token: str) -> str:
    return hashlib.sha256(f"{owner_id}:{token}".encode()).hexdigest()[:40]


def _stash_files(owner_id: int, token: str) -> list[Any]:
    folder = staging_root() / DRAFTS_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob(_stash_prefix(owner_id, token) + "-*"))


def uploads_stash(*, owner_id: int, token: str, uploads: Sequence[Upload]) -> None:
    """Keep these (already checked) documents for the form ``token``; a document of the
    same code replaces the one kept before. The original name follows the code."""
    folder = staging_root() / DRAFTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    prefix = _stash_prefix(owner_id, token)
    for upload in uploads:
        if not _CODE_RE.match(upload.code):
            continue
        for old in folder.glob(f"{prefix}-{upload.code}--*"):
            old.unlink(missing_ok=True)
        safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", upload.name)[-80:] or "document"
        (folder / f"{prefix}-{upload.code}--{safe_name}").write_bytes(upload.content)


def uploads_kept(*, owner_id: int, token: str) -> list[Upload]:
    """The documents kept for the form ``token`` (none once swept)."""
    kept = []
    for path in _stash_files(owner_id, token):
        code, _sep, name = path.name.split("-", 1)[1].partition("--")
        kept.append(Upload(code=code, name=name, content=path.read_bytes()))
    return kept
