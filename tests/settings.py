"""The test suite's settings: development mode and the simulated deployment, said
explicitly (the defaults are production's), then the project's settings as they are."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SAHAYATA_SIMULATED", "1")

from sahayata.settings import *  # noqa: F403

# A fast hash in tests only: a login test tries dozens of passwords, and PBKDF2's cost is
# the point in production, not here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
