"""gunicorn for Sahayata (``make serve-prod``): ``gunicorn -c deploy/gunicorn.conf.py``.

Sync workers: each request is one short database transaction, and the slow work (back-end
calls, SMS, rollups) runs in the worker process, not in the request. Every setting can be
overridden from the environment (``WEB_CONCURRENCY``, ``HOST``, ``PORT``, ``GUNICORN_*``).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

wsgi_app = "sahayata.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak can never take a counter down.
max_requests = 5000
max_requests_jitter = 500
preload_app = True  # a broken deployment fails at start, not at the first request
accesslog = "-"
errorlog = "-"
# One JSON line per request, with the id that the response carries in X-Request-ID.
access_log_format = (
    '{"time": "%(t)s", "request_id": "%({x-request-id}o)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_us": %(D)s, '
    '"remote": "%(h)s"}'
)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: Any) -> None:
    """Refuse to start with a development setting (see sahayata/core/deploy.py)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
    django.setup()
    from sahayata.core.deploy import production_problems

    problems = production_problems()
    if problems:
        raise SystemExit("Sahayata refuses to start in production: " + "; ".join(problems))


# gunicorn's own messages as JSON lines too (the access lines are JSON by their format).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "json"},
        "error": {"class": "logging.StreamHandler", "formatter": "json"},
        "access": {"class": "logging.StreamHandler", "formatter": "access"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
