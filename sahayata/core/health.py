"""Probes for the process manager and the load balancer.

``/healthz``: the process is up and answering (no database). ``/readyz``: the database
answers, and each check named in ``SAHAYATA_READY_CHECKS`` (dotted paths to callables
returning ``(ok, detail)``, such as the job queue's lag) passes; otherwise ``503`` with
what failed, so a balancer stops sending traffic to a server that cannot serve it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> tuple[bool, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; the detail says which
        return False, type(exc).__name__
    return True, "ok"


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    ready, checks["database"] = _database()
    for path in getattr(settings, "SAHAYATA_READY_CHECKS", []):
        ok, detail = import_string(path)()
        checks[path.rsplit(".", 1)[-1]] = detail
        ready = ready and ok
    return JsonResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status=200 if ready else 503,
    )
