"""``scripts/verify_log.py``, the offline verifier anyone runs, loaded as a module so that
the server's own check of a receipt (the page without JavaScript) is the very same code."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

from django.conf import settings


def script_path() -> Path:
    return Path(settings.BASE_DIR) / "scripts" / "verify_log.py"


@cache
def verify_log() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_log", script_path())
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {script_path()}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
