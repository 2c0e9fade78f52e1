"""The test suite's settings: development mode and the simulated deployment, said
explicitly (the defaults are production's), then the project's settings as they are."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SAHAYATA_SIMULATED", "1")

from sahayata.settings import *  # noqa: F403

# A fast hash in tests only: a login test tries dozens of passwords, and PBKDF2's cost is
# the point in production, not here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The simulated back ends answer at once and never fail by chance in tests (their 1% default
# failure is drawn from the reference, so a test would fail on the days its number drew
# one). A test that wants latency or failures sets them for its adapter.
if "SAHAYATA_ADAPTERS" not in os.environ:
    SAHAYATA_ADAPTERS = {
        code: {"latency_ms": 0, "failure_rate": 0.0, "timeout_rate": 0.0}
        for code in (
            "electricity_biller",
            "municipal_biller",
            "transport_biller",
            "police_echallan",
            "treasury_challan",
            "land_records",
        )
    }
