"""Writes to the catalogue: departments, services with their parts, and publishing.

``service_publish`` snapshots a service into an immutable ``ServiceVersion``; an
application keeps the version it was submitted under, so later edits never change the
rules of an application already in progress.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sahayata.audit.services import event_record
from sahayata.catalogue.models import (
    Department,
    FeeHead,
    FormField,
    RequiredDocument,
    Service,
    ServiceVersion,
)
from sahayata.core.errors import InvalidInput
from sahayata.people.models import Role, User
from sahayata.people.roles import require_role

# The workflows and adapters that other parts of Sahayata implement.
WORKFLOW_CODES = (
    "bill_payment",
    "treasury_challan",
    "land_records",
    "single_approval",
    "verify_approve",
)
ADAPTER_CODES = (
    "electricity_biller",
    "treasury_challan",
    "land_records",
    "municipal_biller",
    "transport_biller",
    "police_echallan",
)


class InvalidServiceDefinition(InvalidInput):
    code = "invalid_service_definition"
    default_message = _("This service definition is not valid.")


def service_definition(service: Service) -> dict[str, Any]:
    """The whole definition of a service as plain JSON: what an application runs under."""
    return {
        "code": service.code,
        "name_en": service.name_en,
        "name_bn": service.name_bn,
        "department_code": service.department.code,
        "kind": service.kind,
        "description_en": service.description_en,
        "description_bn": service.description_bn,
        "time_limit_days": service.time_limit_days,
        "workflow_code": service.workflow_code,
        "adapter_code": service.adapter_code,
        "issues_certificate": service.issues_certificate,
        "is_active": service.is_active,
        "fee_heads": [
            {
                "code": head.code,
                "name_en": head.name_en,
                "name_bn": head.name_bn,
                "amount_paise": head.amount_paise,
                "amount_from_field": head.amount_from_field,
                "payee": head.payee,
            }
            for head in service.fee_heads.order_by("position", "pk")
        ],
        "form_fields": [
            {
                "name": field.name,
                "type": field.type,
                "required": field.required,
                "label_en": field.label_en,
                "label_bn": field.label_bn,
                "choices": field.choices,
                "pattern": field.pattern,
                "max_length": field.max_length,
                "example": field.example,
            }
            for field in service.form_fields.order_by("position", "pk")
        ],
        "documents": [
            {
                "code": document.code,
                "name_en": document.name_en,
                "name_bn": document.name_bn,
                "mandatory": document.mandatory,
            }
            for document in service.required_documents.order_by("position", "pk")
        ],
    }


def _check_definition(definition: Mapping[str, Any]) -> None:
    if definition["workflow_code"] not in WORKFLOW_CODES:
        raise InvalidServiceDefinition(
            details={"field": "workflow_code", "value": definition["workflow_code"]}
        )
    if definition["adapter_code"] and definition["adapter_code"] not in ADAPTER_CODES:
        raise InvalidServiceDefinition(
            details={"field": "adapter_code", "value": definition["adapter_code"]}
        )
    paise_fields = {f["name"] for f in definition["form_fields"] if f["type"] == "paise"}
    for head in definition["fee_heads"]:
        source = head["amount_from_field"]
        if source and source not in paise_fields:
            raise InvalidServiceDefinition(
                details={"field": "amount_from_field", "fee_head": head["code"], "value": source}
            )
        if not source and head["amount_paise"] <= 0:
            raise InvalidServiceDefinition(
                details={"field": "amount_paise", "fee_head": head["code"]}
            )


def service_publish(*, service: Service, actor: User | None = None) -> ServiceVersion:
    """Snapshot ``service`` as a new version when its definition changed.

    Returns the current version: the new one, or the existing one when nothing changed.
    ``actor`` (None for data loading and commands) must be an administrator.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        locked = Service.objects.select_for_update().select_related("department").get(pk=service.pk)
        definition = service_definition(locked)
        _check_definition(definition)
        latest = locked.versions.order_by("-version").first()
        if latest is not None and latest.definition == definition:
            return latest
        number = (latest.version if latest else 0) + 1
        version = ServiceVersion.objects.create(
            service=locked,
            version=number,
            definition=definition,
            published_by=actor.username if actor else "",
        )
        Service.objects.filter(pk=locked.pk).update(current_version=number)
        service.current_version = number
        event_record(
            action="service.publish",
            object_type="service",
            object_id=locked.code,
            actor=actor,
            before={"version": latest.version} if latest else None,
            after={"version": number, "definition": definition},
        )
        return version


def department_upsert(*, code: str, name_en: str, name_bn: str, short_name: str = "") -> Department:
    with transaction.atomic():
        department, _created = Department.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_bn": name_bn, "short_name": short_name}
        )
        return department


def service_define(
    *,
    code: str,
    department: Department,
    name_en: str,
    name_bn: str,
    kind: str,
    time_limit_days: int,
    workflow_code: str,
    adapter_code: str = "",
    issues_certificate: bool = False,
    description_en: str = "",
    description_bn: str = "",
    fee_heads: Iterable[Mapping[str, Any]] = (),
    form_fields: Iterable[Mapping[str, Any]] = (),
    documents: Iterable[Mapping[str, Any]] = (),
    actor: User | None = None,
) -> ServiceVersion:
    """Create or replace a whole service definition (by ``code``) and publish it.

    Loading the same definition twice publishes nothing new, so data loading is
    idempotent and versions grow only with real changes.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        service, _created = Service.objects.update_or_create(
            code=code,
            defaults={
                "department": department,
                "name_en": name_en,
                "name_bn": name_bn,
                "kind": kind,
                "time_limit_days": time_limit_days,
                "workflow_code": workflow_code,
                "adapter_code": adapter_code,
                "issues_certificate": issues_certificate,
                "description_en": description_en,
                "description_bn": description_bn,
            },
        )
        service.fee_heads.all().delete()
        service.form_fields.all().delete()
        service.required_documents.all().delete()
        FeeHead.objects.bulk_create(
            FeeHead(service=service, position=i, **dict(head)) for i, head in enumerate(fee_heads)
        )
        FormField.objects.bulk_create(
            FormField(service=service, position=i, **dict(field))
            for i, field in enumerate(form_fields)
        )
        RequiredDocument.objects.bulk_create(
            RequiredDocument(service=service, position=i, **dict(document))
            for i, document in enumerate(documents)
        )
        return service_publish(service=service, actor=actor)
