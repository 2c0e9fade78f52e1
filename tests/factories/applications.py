"""Factories for applications: a counter (centre, operator, funded wallet), officers,
certificate services, and ``submitted(...)``, which goes through ``application_submit``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sahayata.applications.models import Application
from sahayata.applications.services import application_submit
from sahayata.catalogue.models import FeeHead, Service
from sahayata.people.models import Citizen, Role, User
from sahayata.places.models import Centre
from sahayata.wallet.models import Account
from tests.factories.catalogue import (
    FeeHeadFactory,
    FormFieldFactory,
    RequiredDocumentFactory,
    ServiceFactory,
    published,
)
from tests.factories.people import CitizenFactory, UserFactory
from tests.factories.places import CentreFactory
from tests.factories.wallet import funded_wallet


@dataclass
class Counter:
    centre: Centre
    operator: User
    wallet: Account


def counter(*, amount_paise: int = 1_000_000, centre: Centre | None = None) -> Counter:
    """A centre with an operator and a wallet funded with ``amount_paise`` (0: empty)."""
    centre = centre or CentreFactory()
    operator = UserFactory(role=Role.OPERATOR, centre=centre)
    wallet = funded_wallet(centre=centre, amount_paise=amount_paise)
    return Counter(centre=centre, operator=operator, wallet=wallet)


def officer_of(service: Service) -> User:
    return UserFactory(role=Role.OFFICER, department=service.department)


def certificate_service(*, amount_paise: int = 3_000, **kwargs: Any) -> Service:
    """A published caste-certificate-like service: verify then approve, with a fee."""
    kwargs.setdefault("kind", Service.Kind.CERTIFICATE)
    kwargs.setdefault("workflow_code", "verify_approve")
    kwargs.setdefault("issues_certificate", True)
    kwargs.setdefault("time_limit_days", 15)
    service = ServiceFactory(**kwargs)
    FormFieldFactory(service=service, name="father_name", example="Ramesh Das")
    if amount_paise:
        FeeHeadFactory(
            service=service, code="fee", amount_paise=amount_paise, payee=FeeHead.Payee.DEPARTMENT
        )
    RequiredDocumentFactory(service=service, code="identity", mandatory=True)
    return published(service)


def treasury_service(**kwargs: Any) -> Service:
    """Stamp duty through a (simulated) treasury challan, confirmed later."""
    kwargs.setdefault("kind", Service.Kind.PAYMENT)
    kwargs.setdefault("workflow_code", "treasury_challan")
    kwargs.setdefault("adapter_code", "treasury_challan")
    service = ServiceFactory(**kwargs)
    FormFieldFactory(service=service, name="deed_no", example="I-1234/2025")
    FeeHeadFactory(service=service, code="stamp_duty", amount_paise=250_000)
    return published(service)


def submitted(
    *,
    at: Counter,
    service: Service,
    citizen: Citizen | None = None,
    fields: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Application:
    """Submit through the real service, with each field's catalogue example as its value."""
    if fields is None:
        fields = {}
        for field in service.form_fields.all():
            fields[field.name] = int(field.example) if field.type == "paise" else field.example
    return application_submit(
        operator=at.operator,
        centre=at.centre,
        service=service,
        citizen=citizen or CitizenFactory(),
        fields=fields,
        **kwargs,
    )
