"""Writes and checks of certificates: issue (on final approval), revoke, verify a QR payload."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sahayata.applications.models import Application
from sahayata.certificates import signing
from sahayata.certificates.models import Certificate
from sahayata.core.errors import Conflict, InvalidInput, NotFound
from sahayata.people.models import Role, User
from sahayata.people.roles import has_role, require_role

# 31 symbols, without 0/O and 1/I/L: read aloud or typed from paper without mistakes.
ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ID_LENGTH = 16


class CertificateNotFound(NotFound):
    code = "not_found"
    default_message = _("No certificate has this ID.")


class CertificateAlreadyRevoked(Conflict):
    code = "certificate_already_revoked"
    default_message = _("This certificate is already revoked.")


class RevocationReasonRequired(InvalidInput):
    code = "reason_required"
    default_message = _("Give the reason for revoking the certificate.")


def certificate_id_new() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def certificate_id_normalise(text: str) -> str:
    """Upper case, without spaces and dashes (IDs are printed in groups of four)."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -")


def certificate_id_plausible(normalised: str) -> bool:
    """Whether a normalised ID could be one at all (ASCII letters and digits, at most 32):
    anything else is unknown without asking the database (a NUL byte breaks PostgreSQL)."""
    return 0 < len(normalised) <= 32 and normalised.isascii() and normalised.isalnum()


def certificate_issue(*, application: Application, at: dt.datetime | None = None) -> Certificate:
    """Issue the signed certificate of an approved application (inside its transaction)."""
    existing = Certificate.objects.filter(application=application).first()
    if existing is not None:
        return existing
    issued_at = at or timezone.now()
    citizen = application.citizen
    service = application.service
    while True:
        certificate_id = certificate_id_new()
        if not Certificate.objects.filter(pk=certificate_id).exists():
            break
    payload = {
        "v": 1,
        "id": certificate_id,
        "kid": signing.key_id(),
        "app": application.number,
        "holder_en": citizen.name_en,
        "holder_bn": citizen.name_bn,
        "service": service.code,
        "service_en": service.name_en,
        "service_bn": service.name_bn,
        "dept": application.department.code,
        "issued": timezone.localtime(issued_at).isoformat(timespec="seconds"),
    }
    payload_text = signing.canonical(payload)
    return Certificate.objects.create(
        id=certificate_id,
        application=application,
        holder_name_en=citizen.name_en,
        holder_name_bn=citizen.name_bn,
        service_code=service.code,
        service_name_en=service.name_en,
        service_name_bn=service.name_bn,
        issued_at=issued_at,
        payload=payload_text,
        signature=signing.sign(payload_text),
        key_id=signing.key_id(),
    )


def certificate_may_revoke(user: Any, certificate: Certificate) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    return (
        has_role(user, Role.OFFICER) and user.department_id == certificate.application.department_id
    )


def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke a certificate: an officer of its department or an administrator."""
    require_role(actor, Role.OFFICER, Role.ADMIN)
    if not certificate_may_revoke(actor, certificate):
        raise CertificateNotFound()
    reason = (reason or "").strip()
    if not reason:
        raise RevocationReasonRequired()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise CertificateAlreadyRevoked()
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revocation_reason = reason[:300]
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        return locked


def certificate_token(certificate: Certificate) -> str:
    """The signed token the certificate's QR code carries."""
    return signing.token(certificate.payload, certificate.signature)


@dataclass(frozen=True)
class PayloadCheck:
    genuine: bool
    problem: str = ""  # format, encoding, signature, payload, unknown
    payload: dict[str, Any] | None = None
    certificate: Certificate | None = None

    @property
    def revoked(self) -> bool:
        return self.certificate is not None and self.certificate.is_revoked


def certificate_verify_payload(payload: str) -> PayloadCheck:
    """Check a scanned QR payload: the signature must hold and the text be exactly as signed.

    A genuine signature is enough offline; online we also look the ID up, to report
    revocation. A payload that verifies but whose stored text differs is refused.
    """
    try:
        data, text = signing.token_open(payload)
    except signing.BadToken as exc:
        return PayloadCheck(genuine=False, problem=str(exc))
    certificate = Certificate.objects.filter(pk=str(data.get("id", ""))).first()
    if certificate is not None and certificate.payload != text:
        return PayloadCheck(genuine=False, problem="mismatch", payload=data)
    return PayloadCheck(genuine=True, payload=data, certificate=certificate)
