"""The offline verifier, loaded from ``scripts/verify_log.py`` as the server loads it."""

from __future__ import annotations

from sahayata.ledgerlog.verifier import verify_log as _load

verify_log = _load()
