"""Reads of the catalogue."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sahayata.catalogue.models import FeeHead, FormField, Service, ServiceVersion
from sahayata.core.errors import Conflict, NotFound
from sahayata.core.memo import Memo
from sahayata.core.text import has_control_characters


class ServiceNotFound(NotFound):
    code = "service_not_found"
    default_message = _("No such service.")


class ServiceNotPublished(Conflict):
    code = "service_not_published"
    default_message = _("This service has not been published yet.")


def service_list(*, active_only: bool = True, published_only: bool = False) -> QuerySet[Service]:
    services = Service.objects.select_related("department").prefetch_related(
        Prefetch("fee_heads", queryset=FeeHead.objects.order_by("position", "pk")),
        Prefetch("form_fields", queryset=FormField.objects.order_by("position", "pk")),
    )
    if active_only:
        services = services.filter(is_active=True)
    if published_only:
        services = services.filter(current_version__gte=1)
    return services.order_by("code")


def service_get(*, code: str, active_only: bool = True, with_heads: bool = True) -> Service:
    """The service with this code, or ``ServiceNotFound``. ``with_heads=False`` leaves out
    its fee heads and form fields (two queries), which a submission reads from the
    published version instead."""
    if has_control_characters(code):
        raise ServiceNotFound(details={"service_code": code})
    services = (
        service_list(active_only=active_only)
        if with_heads
        else Service.objects.select_related("department").filter(is_active=True)
        if active_only
        else Service.objects.select_related("department")
    )
    service = services.filter(code=code).first()
    if service is None:
        raise ServiceNotFound(details={"service_code": code})
    return service


def service_fee_paise(service: Service) -> int:
    """Total of the fixed fee heads; 0 for a free service.

    Heads whose amount comes from a form field (bills, fines) count as 0 here; the
    application computes them from the submitted fields.
    """
    return sum(head.amount_paise for head in service.fee_heads.all())


# A published version is immutable (a new publication is a new row): kept per process by
# (service id, version number); which number is current comes from the service row.
_published: Memo[ServiceVersion] = Memo("catalogue.published_versions", size=1024)


def service_current_version(service: Service) -> ServiceVersion:
    """The published version an application submitted now would run under: the one the
    ``service`` row (as read by the caller) names. Do not modify what it returns."""
    key = (service.pk, service.current_version)
    version = _published.get(key)
    if version is not None:
        return version
    version = ServiceVersion.objects.filter(
        service_id=service.pk, version=service.current_version
    ).first()
    if version is None:
        raise ServiceNotPublished(details={"service_code": service.code})
    # Kept once committed: a version published in this very transaction may roll back.
    transaction.on_commit(lambda: _published.put(key, version))
    return version


def service_search(query: str, lang: str | None = None) -> QuerySet[Service]:
    """Active services whose code or name (English or Bengali) contains ``query``.

    Both languages are always searched; ``lang`` decides the order of the results.
    """
    text = (query or "").strip()
    services = service_list()
    if has_control_characters(text):
        return services.none()
    if text:
        services = services.filter(
            Q(name_en__icontains=text)
            | Q(name_bn__icontains=text)
            | Q(code__icontains=text)
            | Q(department__name_en__icontains=text)
            | Q(department__name_bn__icontains=text)
        )
    order = "name_bn" if (lang or "").startswith("bn") else "name_en"
    return services.order_by(order, "code")
