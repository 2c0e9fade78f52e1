"""What a production server refuses to start without, as a Django system check.

``manage.py check --deploy`` reports these as errors, ``make serve-prod`` runs that check
first, and the gunicorn configuration (``deploy/gunicorn.conf.py``) runs it again before
the first worker starts, so no production process serves with a development setting.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


def production_problems() -> list[str]:
    """Every setting that must not reach production, in words (empty: none)."""
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG is on: set DEBUG=0")
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY or len(settings.SECRET_KEY) < 32:
        problems.append("SECRET_KEY is the development key or shorter than 32 characters")
    if settings.SAHAYATA_AADHAAR_HMAC_KEY == settings.DEV_AADHAAR_HMAC_KEY:
        problems.append("SAHAYATA_AADHAAR_HMAC_KEY is the development key")
    if not settings.ALLOWED_HOSTS_FROM_ENV:
        problems.append("ALLOWED_HOSTS is not set: name the host names this server answers")
    return problems


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(problem, id="sahayata.E001") for problem in production_problems()]
