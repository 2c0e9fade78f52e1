"""Reads of the catalogue."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sahayata.catalogue.models import FeeHead, FormField, Service


def service_list(*, active_only: bool = True) -> QuerySet[Service]:
    services = Service.objects.select_related("department").prefetch_related(
        Prefetch("fee_heads", queryset=FeeHead.objects.order_by("position", "pk")),
        Prefetch("form_fields", queryset=FormField.objects.order_by("position", "pk")),
    )
    if active_only:
        services = services.filter(is_active=True)
    return services.order_by("code")


def service_fee_paise(service: Service) -> int:
    """Total of the fixed fee heads; 0 for a free service."""
    return sum(head.amount_paise for head in service.fee_heads.all())
