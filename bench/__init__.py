"""Benchmarks. Each module has ``main(argv) -> None`` and prints one JSON line per figure."""

from __future__ import annotations

import os
import secrets


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a benchmark child that runs with DEBUG off (no query log): the
    production profile refuses the development keys, so it gets throwaway ones, on a
    simulated deployment (demo data, the simulator) reached over plain http on loopback."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "SAHAYATA_AADHAAR_HMAC_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SAHAYATA_SIMULATED": "1",
        "SAHAYATA_HTTPS": "0",
        **extra,
    }
