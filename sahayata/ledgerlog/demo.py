"""Demo data of the transparency log: a signed head for each day of the demo history."""

from __future__ import annotations

from typing import TextIO

from sahayata.ledgerlog.models import LogHead
from sahayata.ledgerlog.services import log_publish_history


def seed_demo(*, stdout: TextIO, quiet: bool = False) -> None:
    if LogHead.objects.exists():
        return  # idempotent: heads already published never change
    written = log_publish_history()
    if not quiet:
        stdout.write(f"Transparency log: {written} signed heads of the demo history\n")
