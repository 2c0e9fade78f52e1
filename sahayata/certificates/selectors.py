"""Reads of certificates: lookup by ID for the public verification page and the API."""

from __future__ import annotations

from sahayata.certificates import signing
from sahayata.certificates.models import Certificate
from sahayata.certificates.services import (
    CertificateNotFound,
    certificate_id_normalise,
    certificate_id_plausible,
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


def certificate_is_genuine(certificate: Certificate) -> bool:
    """The stored payload still carries a valid signature (a tampered row fails)."""
    return signing.signature_valid(
        certificate.payload, certificate.signature, kid=certificate.key_id or None
    )


def certificate_verification(*, certificate_id: str) -> dict[str, object]:
    """The public answer for ``/verify/<id>`` and ``GET /api/v1/certificates/{id}/verify``."""
    certificate = certificate_get(certificate_id=certificate_id)
    return {
        "certificate_id": certificate.id,
        "genuine": certificate_is_genuine(certificate),
        "revoked": certificate.is_revoked,
        "revoked_at": certificate.revoked_at,
        "holder_name": certificate.holder_name_en,
        "holder_name_bn": certificate.holder_name_bn,
        "service_code": certificate.service_code,
        "service_name_en": certificate.service_name_en,
        "service_name_bn": certificate.service_name_bn,
        "issued_at": certificate.issued_at,
    }
