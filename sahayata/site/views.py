"""Site-wide pages: the bilingual home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from sahayata.site.selectors import site_figures


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", site_figures())


def favicon(request: HttpRequest) -> HttpResponse:
    """Pages without an icon link (the admin, the API's docs) make the browser ask for
    ``/favicon.ico``: the bundled icon, not a 404. Resolved per request, so that the
    static files' manifest is read only once collected."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))
