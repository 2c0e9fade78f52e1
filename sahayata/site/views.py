"""Site-wide pages: the bilingual home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sahayata.site.selectors import site_figures


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", site_figures())
