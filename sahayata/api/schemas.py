"""Schema pieces shared by every router: money input and paginated lists."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from sahayata.core.money import MAX_AMOUNT_PAISE

MAX_OFFSET = 10**9

# A JSON integer from 1 to 10^15. Strict: strings, floats, booleans and null are refused.
PaiseIn = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT_PAISE)]


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(Schema):
    error: ErrorBody


class Page(Schema):
    limit: int = Field(100, ge=1, le=500)
    # Bounded so that a huge offset is a 422, not a database error (PostgreSQL OFFSET is bigint).
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def paginate(queryset: Any, page: Page) -> tuple[list[Any], int]:
    count = queryset.count()
    return list(queryset[page.offset : page.offset + page.limit]), count
