"""Site-wide pages: the bilingual home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sahayata.catalogue.models import Department, Service
from sahayata.places.models import Centre, District


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "district_count": District.objects.count(),
        "centre_count": Centre.objects.filter(is_active=True).count(),
        "department_count": Department.objects.count(),
        "service_count": Service.objects.filter(is_active=True).count(),
    }
    return render(request, "core/home.html", context)
