"""Factories for departments and services, and helpers for published services.

``published(service)`` publishes version 1 (as the admin and the data loader do);
``free_service()`` and ``bill_service()`` give ready, published services for tests of
applications and the wallet.
"""

from __future__ import annotations

from typing import Any

import factory

from sahayata.catalogue.models import (
    Department,
    FeeHead,
    FormField,
    RequiredDocument,
    Service,
)
from sahayata.catalogue.services import service_publish


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"DEPT{n:03d}")
    name_en = factory.Sequence(lambda n: f"Department {n}")
    name_bn = factory.Sequence(lambda n: f"দপ্তর {n}")
    short_name = ""


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"service_{n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    name_bn = factory.Sequence(lambda n: f"পরিষেবা {n}")
    department = factory.SubFactory(DepartmentFactory)
    kind = Service.Kind.SCHEME
    time_limit_days = 30
    workflow_code = "single_approval"
    adapter_code = ""
    issues_certificate = False


class FeeHeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeHead

    service = factory.SubFactory(ServiceFactory)
    code = factory.Sequence(lambda n: f"fee_{n}")
    name_en = "Fee"
    name_bn = "ফি"
    amount_paise = 5_000
    amount_from_field = ""
    payee = FeeHead.Payee.TREASURY


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"field_{n}")
    type = FormField.Type.TEXT
    required = True
    label_en = "Field"
    label_bn = "ঘর"
    example = "example"


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    service = factory.SubFactory(ServiceFactory)
    code = factory.Sequence(lambda n: f"doc_{n}")
    name_en = "Proof of identity"
    name_bn = "পরিচয়ের প্রমাণ"


def published(service: Service) -> Service:
    """Publish ``service`` (version 1 the first time) and return it refreshed."""
    service_publish(service=service)
    service.refresh_from_db()
    return service


def free_service(**kwargs: Any) -> Service:
    """A published free scheme with one text field."""
    service = ServiceFactory(**kwargs)
    FormFieldFactory(service=service, name="applicant_note", example="Widow, 62 years")
    return published(service)


def paid_service(*, amount_paise: int = 5_000, **kwargs: Any) -> Service:
    """A published service with one fixed fee head (to the treasury)."""
    kwargs.setdefault("kind", Service.Kind.LAND)
    service = ServiceFactory(**kwargs)
    FeeHeadFactory(service=service, code="fee", amount_paise=amount_paise)
    FormFieldFactory(service=service, name="plot_no", example="1234")
    return published(service)


def bill_service(**kwargs: Any) -> Service:
    """A published bill payment whose amount comes from ``bill_amount_paise``."""
    kwargs.setdefault("kind", Service.Kind.PAYMENT)
    kwargs.setdefault("workflow_code", "bill_payment")
    kwargs.setdefault("adapter_code", "electricity_biller")
    service = ServiceFactory(**kwargs)
    FormFieldFactory(
        service=service, name="consumer_id", pattern=r"^[0-9]{9}$", example="112233445"
    )
    FormFieldFactory(
        service=service,
        name="bill_amount_paise",
        type=FormField.Type.PAISE,
        example="165000",
        label_en="Bill amount (paise)",
        label_bn="বিলের পরিমাণ (পয়সা)",
    )
    FeeHeadFactory(
        service=service,
        code="bill",
        amount_paise=0,
        amount_from_field="bill_amount_paise",
        payee=FeeHead.Payee.BILLER,
    )
    return published(service)
