"""Signing-key rotation: certificates signed by a retired key still verify, the public
key listing names every key (current first), and tampering still fails."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.test import Client

from sahayata.applications.services import application_act
from sahayata.certificates import signing
from sahayata.certificates.models import Certificate
from sahayata.certificates.selectors import certificate_is_genuine
from sahayata.certificates.services import certificate_token, certificate_verify_payload
from sahayata.core.keys import pem_of
from tests.factories.applications import certificate_service, counter, officer_of, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_keys(settings: Any, tmp_path: Path) -> None:
    """A key and keyring of this test's own (never the development key in var/)."""
    settings.SAHAYATA_SIGNING_KEY_PATH = str(tmp_path / "keys" / "signing.pem")
    settings.SAHAYATA_SIGNING_KEYRING_DIR = str(tmp_path / "keys" / "ring")


def _certificate() -> Certificate:
    service = certificate_service()
    application = submitted(at=counter(), service=service)
    officer = officer_of(service)
    application_act(application=application, action="verify", actor=officer_of(service))
    application_act(application=application, action="approve", actor=officer)
    return Certificate.objects.get(application=application)


def _tampered(token: str) -> str:
    prefix, payload_b64, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    payload["holder_en"] = "Somebody Else"
    forged = base64.urlsafe_b64encode(signing.canonical(payload).encode()).rstrip(b"=").decode()
    return f"{prefix}.{forged}.{signature}"


def test_old_certificates_verify_after_rotation_and_tampering_fails(client: Client) -> None:
    old = _certificate()
    old_kid = signing.key_id()
    assert old.key_id == old_kid

    call_command("certificates_rotate_key", verbosity=0)
    new_kid = signing.key_id()
    assert new_kid != old_kid
    new = _certificate()
    assert new.key_id == new_kid

    for certificate in (old, new):
        assert certificate_is_genuine(certificate)
        assert certificate_verify_payload(certificate_token(certificate)).genuine
        body = client.get(f"/api/v1/certificates/{certificate.id}/verify").json()
        assert body["genuine"] is True
        check = certificate_verify_payload(_tampered(certificate_token(certificate)))
        assert not check.genuine and check.problem == "signature"

    # A stored row altered after signing no longer verifies under its recorded key.
    Certificate.objects.filter(pk=old.pk).update(payload=old.payload.replace(old.id, new.id))
    old.refresh_from_db()
    assert not certificate_is_genuine(old)

    listing = client.get("/verify/public-key?format=json").json()["keys"]
    assert [k["key_id"] for k in listing] == [new_kid, old_kid]
    assert [k["current"] for k in listing] == [True, False]
    pem = client.get("/verify/public-key")
    assert pem["X-Key-Id"] == new_kid and pem["X-Key-Ids"] == f"{new_kid}, {old_kid}"
    blocks = pem.content.decode().split("-----END PUBLIC KEY-----")[:-1]
    assert len(blocks) == 2
    first = serialization.load_pem_public_key((blocks[0] + "-----END PUBLIC KEY-----").encode())
    assert pem_of(first) == pem_of(signing.public_key())  # the current key comes first


def test_a_key_missing_from_the_keyring_makes_old_certificates_fail(settings: Any) -> None:
    old = _certificate()
    signing.signing_key_rotate()
    for retired in Path(settings.SAHAYATA_SIGNING_KEYRING_DIR).glob("*.pem"):
        retired.unlink()
    assert not certificate_is_genuine(old)
    check = certificate_verify_payload(certificate_token(old))
    assert not check.genuine and check.problem == "unknown_key"


def test_a_token_claiming_another_key_id_is_refused() -> None:
    certificate = _certificate()
    signing.signing_key_rotate()
    payload = json.loads(certificate.payload)
    payload["kid"] = signing.key_id()  # claims the new key, signed by the old one
    text = signing.canonical(payload)
    forged = signing.token(text, certificate.signature)
    assert certificate_verify_payload(forged).problem == "signature"
