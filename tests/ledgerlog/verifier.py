"""The offline verifier, loaded from ``scripts/verify_log.py`` as anyone would run it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_log.py"


def load() -> Any:
    spec = importlib.util.spec_from_file_location("verify_log", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify_log = load()
