"""Places endpoints: GET /api/v1/centres."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sahayata.api.schemas import ErrorOut, Page, paginate
from sahayata.core.errors import InvalidInput
from sahayata.core.text import has_control_characters
from sahayata.places.selectors import centre_list

router = Router(tags=["places"])


class CentreOut(Schema):
    code: str
    name_en: str
    name_bn: str
    kind: str
    district_code: str
    district_name_en: str
    district_name_bn: str
    block: str = Field(description="The block's or municipality's name (English).")
    block_code: str
    block_name_bn: str
    address: str
    pin_code: str


class CentreList(Schema):
    items: list[CentreOut]
    count: int


@router.get(
    "/centres",
    response={200: CentreList, 422: ErrorOut},
    summary="Public list of centres",
    description="Active centres, by code; `?district=KOL` keeps one district's centres.",
)
def centres(request: HttpRequest, page: Query[Page], district: str | None = None) -> dict[str, Any]:
    if district is not None and has_control_characters(district):
        raise InvalidInput(details={"fields": [{"field": "district", "problem": "invalid"}]})
    items, count = paginate(centre_list(district_code=district), page)
    return {
        "items": [
            {
                "code": centre.code,
                "name_en": centre.name_en,
                "name_bn": centre.name_bn,
                "kind": centre.kind,
                "district_code": centre.district.code,
                "district_name_en": centre.district.name_en,
                "district_name_bn": centre.district.name_bn,
                "block": centre.block.name_en,
                "block_code": centre.block.code,
                "block_name_bn": centre.block.name_bn,
                "address": centre.address,
                "pin_code": centre.pin_code,
            }
            for centre in items
        ],
        "count": count,
    }
