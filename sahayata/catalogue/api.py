"""Catalogue endpoints: GET /api/v1/services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from sahayata.api.schemas import Page, paginate
from sahayata.catalogue.selectors import service_fee_paise, service_list

router = Router(tags=["catalogue"])


class FeeHeadOut(Schema):
    code: str
    name_en: str
    name_bn: str
    amount_paise: int
    amount_from_field: str
    payee: str


class FormFieldOut(Schema):
    name: str
    type: str
    required: bool
    label_en: str
    label_bn: str
    example: str
    choices: list[Any]


class ServiceOut(Schema):
    code: str
    name_en: str
    name_bn: str
    department_code: str
    kind: str
    fee_paise: int
    fee_heads: list[FeeHeadOut]
    time_limit_days: int
    version: int
    issues_certificate: bool
    workflow_code: str
    form_fields: list[FormFieldOut]


class ServiceList(Schema):
    items: list[ServiceOut]
    count: int


@router.get("/services", response=ServiceList, summary="The service catalogue")
def services(request: HttpRequest, page: Query[Page]) -> dict[str, Any]:
    items, count = paginate(service_list(), page)
    return {
        "items": [
            {
                "code": service.code,
                "name_en": service.name_en,
                "name_bn": service.name_bn,
                "department_code": service.department.code,
                "kind": service.kind,
                "fee_paise": service_fee_paise(service),
                "fee_heads": list(service.fee_heads.all()),
                "time_limit_days": service.time_limit_days,
                "version": service.current_version,
                "issues_certificate": service.issues_certificate,
                "workflow_code": service.workflow_code,
                "form_fields": list(service.form_fields.all()),
            }
            for service in items
        ],
        "count": count,
    }
