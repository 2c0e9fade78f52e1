"""Request bodies larger than the server accepts are refused by their Content-Length with
413, before any of them is read: a form up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a
submission with its documents (multipart) up to ``SAHAYATA_MAX_UPLOAD_REQUEST_BYTES``
(seven documents of 2 MB and the form). The API answers its own 413, in its error shape.
WSGI reads no more than the Content-Length, so a body without one is read as empty.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data":
            limit = settings.SAHAYATA_MAX_UPLOAD_REQUEST_BYTES
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return render(
                request,
                "site/too_large.html",
                {"max_megabytes": round(limit / 1024 / 1024, 1)},
                status=413,
            )
        return self.get_response(request)
