"""Site-wide reads: the figures on the home page."""

from __future__ import annotations

from sahayata.catalogue.models import Department, Service
from sahayata.places.models import Centre, District


def site_figures() -> dict[str, int]:
    """How big the network is: districts, active centres, departments, active services."""
    return {
        "district_count": District.objects.count(),
        "centre_count": Centre.objects.filter(is_active=True).count(),
        "department_count": Department.objects.count(),
        "service_count": Service.objects.filter(is_active=True, current_version__gte=1).count(),
    }
