"""Certificates: issued on approval, signed, verified online and offline, revoked."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from sahayata.applications.services import application_act
from sahayata.certificates.models import Certificate
from sahayata.certificates.services import (
    ID_ALPHABET,
    CertificateAlreadyRevoked,
    certificate_revoke,
    certificate_token,
    certificate_verify_payload,
)
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def _approved_certificate() -> tuple[Certificate, object]:
    at = counter()
    service = certificate_service()
    application = submitted(at=at, service=service)
    officer = officer_of(service)
    application_act(application=application, action="verify", actor=officer_of(service))
    application_act(application=application, action="approve", actor=officer)
    return Certificate.objects.get(application=application), officer


def test_issue_and_verify(client: Client) -> None:
    certificate, _officer = _approved_certificate()
    assert len(certificate.id) == 16 and set(certificate.id) <= set(ID_ALPHABET)
    check = certificate_verify_payload(certificate_token(certificate))
    assert check.genuine and not check.revoked
    body = client.get(f"/api/v1/certificates/{certificate.id}/verify").json()
    assert body["genuine"] is True and body["revoked"] is False
    assert body["certificate_id"] == certificate.id
    assert body["service_code"] == certificate.service_code
    assert client.get("/api/v1/certificates/ABCDEFGHJKMNPQRS/verify").status_code == 404
    page = client.get(f"/verify/{certificate.id}")
    assert page.status_code == 200 and certificate.holder_name_bn in page.content.decode()
    pem = client.get("/verify/public-key")
    assert pem.content.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_tampered_qr_payload_fails() -> None:
    certificate, _officer = _approved_certificate()
    prefix, payload_b64, signature = certificate_token(certificate).split(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    payload["holder_en"] = "Somebody Else"
    forged = base64.urlsafe_b64encode(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).rstrip(b"=")
    check = certificate_verify_payload(f"{prefix}.{forged.decode()}.{signature}")
    assert not check.genuine and check.problem == "signature"
    assert not certificate_verify_payload("garbage").genuine


def test_revoke(client: Client) -> None:
    certificate, officer = _approved_certificate()
    certificate_revoke(certificate=certificate, actor=officer, reason="Issued on forged papers")
    body = client.get(f"/api/v1/certificates/{certificate.id}/verify").json()
    assert body["revoked"] is True and body["genuine"] is True
    assert certificate_verify_payload(certificate_token(certificate)).revoked
    with pytest.raises(CertificateAlreadyRevoked):
        certificate_revoke(certificate=certificate, actor=officer, reason="again")
    # An officer of another department may not revoke it.
    certificate.refresh_from_db()
    stranger = UserFactory(role="officer")
    from sahayata.certificates.services import CertificateNotFound

    with pytest.raises(CertificateNotFound):
        certificate_revoke(certificate=certificate, actor=stranger, reason="x")


def test_verify_page_checks_a_pasted_qr_payload_and_officer_revokes(client: Client) -> None:
    certificate, officer = _approved_certificate()
    token = certificate_token(certificate)
    genuine = client.post(
        "/verify/", {"payload": f"https://x.example/verify/{certificate.id}#{token}"}
    )
    assert 'id="payload-verdict"><span class="badge ok">' in genuine.content.decode()
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    tampered = client.post("/verify/", {"payload": forged}).content.decode()
    assert 'class="error" id="payload-verdict"' in tampered
    assert client.get("/verify/", {"id": certificate.id.lower()}).status_code == 302
    assert client.get("/verify/ZZZZZZZZZZZZZZZZ").status_code == 404
    client.force_login(officer)
    page = client.get(f"/certificates/{certificate.id}/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    client.post(f"/certificates/{certificate.id}/revoke", {"reason": "Wrong caste recorded"})
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == officer
    assert 'id="verdict"' in client.get(f"/verify/{certificate.id}").content.decode()
