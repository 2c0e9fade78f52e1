"""Catalogue endpoints: GET /api/v1/services, the published catalogue."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sahayata.api.schemas import ErrorOut, Page, paginate
from sahayata.catalogue.models import FormField
from sahayata.catalogue.selectors import service_fee_paise, service_list

router = Router(tags=["catalogue"])


class FeeHeadOut(Schema):
    """``amount_paise`` is fixed; when ``amount_from_field`` names a form field, the
    citizen's own amount (a bill, a fine, a duty) is taken from it instead."""

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
    example: str | int = Field(
        description="A value that passes this field's validation as it is: a JSON integer "
        "for `paise` and `number` fields, a string otherwise."
    )
    choices: list[Any]
    pattern: str
    max_length: int

    @staticmethod
    def resolve_example(field: FormField) -> str | int:
        numeric = field.type in (FormField.Type.PAISE, FormField.Type.NUMBER)
        if numeric and field.example.lstrip("-").isdigit():
            return int(field.example)
        return field.example


class ServiceOut(Schema):
    code: str
    name_en: str
    name_bn: str
    department_code: str
    kind: str
    fee_paise: int = Field(
        description="Total of the fixed fee heads in paise; 0 if free. Heads taken from a "
        "form field (bills, fines, duties) add the submitted amount on top."
    )
    fee_heads: list[FeeHeadOut]
    time_limit_days: int
    version: int
    issues_certificate: bool
    workflow_code: str
    adapter_code: str
    form_fields: list[FormFieldOut]


class ServiceList(Schema):
    items: list[ServiceOut]
    count: int


@router.get(
    "/services",
    response={200: ServiceList, 422: ErrorOut},
    summary="The service catalogue",
    description="Every published, active service with its fees, form fields and version.",
)
def services(request: HttpRequest, page: Query[Page]) -> dict[str, Any]:
    items, count = paginate(service_list(published_only=True), page)
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
                "adapter_code": service.adapter_code,
                "form_fields": list(service.form_fields.all()),
            }
            for service in items
        ],
        "count": count,
    }
