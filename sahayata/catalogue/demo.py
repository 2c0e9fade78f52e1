"""Demo catalogue: every department and service of ``catalogue.data``, published."""

from __future__ import annotations

from typing import Any

from sahayata.catalogue.data import DEPARTMENTS, catalogue_load


def seed_demo(*, stdout: Any, quiet: bool = False) -> None:
    services = catalogue_load()
    if not quiet:
        stdout.write(f"Catalogue: {len(DEPARTMENTS)} departments, {services} services published")
