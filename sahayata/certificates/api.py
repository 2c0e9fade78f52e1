"""JSON API of certificates: public verification by ID."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sahayata.certificates.selectors import certificate_verification

router = Router(tags=["certificates"])


class VerificationOut(Schema):
    """Holder, service and date come from the signed payload only, after its signature and
    the row were checked against each other: all null when ``genuine`` is false
    (``problem``: ``signature``, no valid signature; ``altered``, the record differs from
    what was signed). ``signed_payload``, ``signature`` and ``key_id`` let anyone check
    the signature themselves against ``/verify/public-key``."""

    certificate_id: str
    genuine: bool
    problem: str | None
    revoked: bool
    revoked_at: dt.datetime | None
    holder_name: str | None
    holder_name_bn: str | None
    service_code: str | None
    service_name_en: str | None
    service_name_bn: str | None
    issued_at: dt.datetime | None
    signed_payload: str | None
    signature: str | None
    key_id: str | None


@router.get(
    "/certificates/{certificate_id}/verify",
    auth=None,
    response=VerificationOut,
    summary="Verify a certificate by its 16-character ID",
)
def certificate_verify(request: HttpRequest, certificate_id: str) -> dict[str, Any]:
    return certificate_verification(certificate_id=certificate_id)
