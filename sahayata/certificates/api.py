"""JSON API of certificates: public verification by ID."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sahayata.certificates.selectors import certificate_verification

router = Router(tags=["certificates"])


class VerificationOut(Schema):
    certificate_id: str
    genuine: bool
    revoked: bool
    revoked_at: dt.datetime | None
    holder_name: str
    holder_name_bn: str
    service_code: str
    service_name_en: str
    service_name_bn: str
    issued_at: dt.datetime


@router.get(
    "/certificates/{certificate_id}/verify",
    auth=None,
    response=VerificationOut,
    summary="Verify a certificate by its 16-character ID",
)
def certificate_verify(request: HttpRequest, certificate_id: str) -> dict[str, Any]:
    return certificate_verification(certificate_id=certificate_id)
