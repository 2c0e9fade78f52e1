"""Places endpoints: GET /api/v1/centres."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from sahayata.api.schemas import Page, paginate
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
    block: str


class CentreList(Schema):
    items: list[CentreOut]
    count: int


@router.get("/centres", response=CentreList, summary="Public list of centres")
def centres(request: HttpRequest, page: Query[Page], district: str | None = None) -> dict[str, Any]:
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
            }
            for centre in items
        ],
        "count": count,
    }
