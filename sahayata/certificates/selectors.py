"""Reads of certificates: lookup by ID, and the verification that the public page and the
API show.

**Only what the signature covers is shown.** The row's columns (holder, service, date) are
copies for staff pages and search; anyone who may write to the database can change them.
The verification checks the signature over the stored payload, then that every copied
column still equals the signed payload; the holder, service and date shown come from the
verified payload, never from the row. A bad signature, or a row that disagrees with its
signed payload, is *not genuine* and shows nothing of the certificate. Revocation is a
state of the row (it can only withdraw trust, never add it).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sahayata.certificates import signing
from sahayata.certificates.models import Certificate
from sahayata.certificates.services import (
    CertificateNotFound,
    certificate_id_normalise,
    certificate_id_plausible,
)

# Each copied column of the row and the signed payload's key it must equal.
_SIGNED_COLUMNS = (
    ("id", "id"),
    ("key_id", "kid"),
    ("holder_name_en", "holder_en"),
    ("holder_name_bn", "holder_bn"),
    ("service_code", "service"),
    ("service_name_en", "service_en"),
    ("service_name_bn", "service_bn"),
)


def certificate_get(*, certificate_id: str) -> Certificate:
    """The certificate with this ID (dashes, spaces and case ignored), or 404."""
    normalised = certificate_id_normalise(certificate_id)
    if not certificate_id_plausible(normalised):
        raise CertificateNotFound()
    certificate = (
        Certificate.objects.select_related("application__department").filter(pk=normalised).first()
    )
    if certificate is None:
        raise CertificateNotFound()
    return certificate


@dataclass(frozen=True)
class Verification:
    """What may be said about a certificate row: ``signed`` is the verified payload (None
    unless the signature holds); ``genuine`` only if the row also agrees with it."""

    certificate: Certificate
    genuine: bool
    problem: str  # "", "signature" (no valid signature), "altered" (row differs from it)
    signed: dict[str, Any] | None
    issued_at: dt.datetime | None

    @property
    def revoked(self) -> bool:
        return self.certificate.is_revoked

    @property
    def tampered(self) -> bool:
        return not self.genuine


def _issued(signed: dict[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(signed.get("issued", "")))
    except ValueError:
        return None


def _row_differs(
    certificate: Certificate, signed: dict[str, Any], issued: dt.datetime | None
) -> bool:
    if any(getattr(certificate, column) != signed.get(key) for column, key in _SIGNED_COLUMNS):
        return True
    if signed.get("app") != certificate.application.number:
        return True
    # The signed time is to the second, in Kolkata; the row's is the same instant.
    return issued is None or abs((certificate.issued_at - issued).total_seconds()) >= 1


def certificate_verify(certificate: Certificate) -> Verification:
    if not signing.signature_valid(
        certificate.payload, certificate.signature, kid=certificate.key_id or None
    ):
        return Verification(certificate, False, "signature", None, None)
    try:
        signed = json.loads(certificate.payload)
    except json.JSONDecodeError:
        return Verification(certificate, False, "signature", None, None)
    if not isinstance(signed, dict):
        return Verification(certificate, False, "signature", None, None)
    issued = _issued(signed)
    if _row_differs(certificate, signed, issued):
        return Verification(certificate, False, "altered", None, None)
    return Verification(certificate, True, "", signed, issued)


def certificate_is_genuine(certificate: Certificate) -> bool:
    """The stored payload carries a valid signature and the row still agrees with it."""
    return certificate_verify(certificate).genuine


def certificate_verification(*, certificate_id: str) -> dict[str, object]:
    """The public answer for ``GET /api/v1/certificates/{id}/verify``: the holder, service
    and date from the verified payload only; null when the certificate is not genuine."""
    verification = certificate_verify(certificate_get(certificate_id=certificate_id))
    certificate, signed = verification.certificate, verification.signed or {}
    return {
        "certificate_id": certificate.id,
        "genuine": verification.genuine,
        "problem": verification.problem or None,
        "revoked": certificate.is_revoked,
        "revoked_at": certificate.revoked_at,
        "holder_name": signed.get("holder_en"),
        "holder_name_bn": signed.get("holder_bn"),
        "service_code": signed.get("service"),
        "service_name_en": signed.get("service_en"),
        "service_name_bn": signed.get("service_bn"),
        "issued_at": verification.issued_at,
        "signed_payload": certificate.payload if verification.genuine else None,
        "signature": certificate.signature if verification.genuine else None,
        "key_id": certificate.key_id if verification.genuine else None,
    }
