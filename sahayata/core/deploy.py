"""What a production server refuses to start without.

``sahayata/settings.py`` raises ``ImproperlyConfigured`` with DEBUG off when any of
``insecure_defaults`` holds, so no process (manage.py, gunicorn, the worker) starts with a
development key. ``manage.py check --deploy`` reports the same as errors (and DEBUG on),
``make serve-prod`` runs that check first, and the gunicorn configuration
(``deploy/gunicorn.conf.py``) runs it again before the first worker starts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

REFUSAL = "Sahayata refuses to start in production: "
MIN_KEY_LENGTH = 32


def insecure_defaults(
    *,
    secret_key: str,
    dev_secret_key: str,
    aadhaar_key: str,
    dev_aadhaar_key: str,
    allowed_hosts_from_env: list[str],
) -> list[str]:
    """Every key or host setting that must not reach production, in words (empty: none)."""
    problems = []
    if secret_key == dev_secret_key or len(secret_key) < MIN_KEY_LENGTH:
        problems.append("SECRET_KEY is the development key or shorter than 32 characters")
    if aadhaar_key == dev_aadhaar_key or len(aadhaar_key.encode()) < MIN_KEY_LENGTH:
        problems.append(
            "SAHAYATA_AADHAAR_HMAC_KEY is the development key or shorter than 32 bytes "
            "(keep a random key outside the database)"
        )
    if not allowed_hosts_from_env:
        problems.append("ALLOWED_HOSTS is not set: name the host names this server answers")
    return problems


def production_problems() -> list[str]:
    """Every setting that must not reach production, in words (empty: none)."""
    problems = ["DEBUG is on: set DEBUG=0"] if settings.DEBUG else []
    return problems + insecure_defaults(
        secret_key=settings.SECRET_KEY,
        dev_secret_key=settings.DEV_SECRET_KEY,
        aadhaar_key=settings.SAHAYATA_AADHAAR_HMAC_KEY,
        dev_aadhaar_key=settings.DEV_AADHAAR_HMAC_KEY,
        allowed_hosts_from_env=settings.ALLOWED_HOSTS_FROM_ENV,
    )


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(problem, id="sahayata.E001") for problem in production_problems()]
