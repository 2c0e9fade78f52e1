"""Verification shows only what the signature covers: a field edited in the database is
never shown as "Genuine", by the page or by the API; a forged QR token is refused when
posted."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from sahayata.applications.services import application_act
from sahayata.certificates.models import Certificate
from sahayata.certificates.services import certificate_token
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db

FORGED = "Forged Holder"


def issued() -> Certificate:
    service = certificate_service(name_en="Caste certificate (OBC)")
    citizen = CitizenFactory(name_en="Rina Das", name_bn="রিনা দাস")
    application = submitted(at=counter(), service=service, citizen=citizen)
    application_act(application=application, action="verify", actor=officer_of(service))
    application_act(application=application, action="approve", actor=officer_of(service))
    return Certificate.objects.get(application=application)


def english(client: Client, url: str) -> str:
    client.cookies["django_language"] = "en"
    return client.get(url).content.decode()


def forged_token(certificate: Certificate, **changes: str) -> str:
    prefix, payload_b64, signature = certificate_token(certificate).split(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    payload.update(changes)
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    forged = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    return f"{prefix}.{forged}.{signature}"


def test_a_genuine_certificate_shows_its_signed_fields(client: Client) -> None:
    certificate = issued()
    page = english(client, f"/verify/{certificate.id}")
    assert 'id="verdict">Genuine' in page and "Rina Das" in page
    body = client.get(f"/api/v1/certificates/{certificate.id}/verify").json()
    assert body["genuine"] is True and body["problem"] is None
    assert body["holder_name"] == "Rina Das" and body["holder_name_bn"] == "রিনা দাস"
    assert body["signed_payload"] == certificate.payload


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("holder_name_en", FORGED),
        ("holder_name_bn", FORGED),
        ("service_name_en", FORGED),
        ("service_code", "forged_code"),
    ],
)
def test_a_field_edited_in_the_database_is_not_genuine_and_not_shown(
    client: Client, column: str, value: str
) -> None:
    """Repro: edit holder_name_en in the database; the page and the API showed the forged
    name with the Genuine badge."""
    certificate = issued()
    Certificate.objects.filter(pk=certificate.pk).update(**{column: value})
    page = english(client, f"/verify/{certificate.id}")
    assert 'id="verdict">Genuine' not in page
    assert 'id="verdict">Not genuine' in page and "altered after it was signed" in page
    assert value not in page and "Rina Das" not in page  # nothing of the record is shown
    body = client.get(f"/api/v1/certificates/{certificate.id}/verify").json()
    assert body["genuine"] is False and body["problem"] == "altered"
    assert value not in json.dumps(body)
    assert body["holder_name"] is None and body["issued_at"] is None


def test_an_issue_date_edited_in_the_database_is_not_genuine(client: Client) -> None:
    certificate = issued()
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=certificate.issued_at.replace(year=certificate.issued_at.year - 3)
    )
    body = client.get(f"/api/v1/certificates/{certificate.id}/verify").json()
    assert (body["genuine"], body["problem"]) == (False, "altered")


def test_a_payload_edited_with_its_columns_fails_the_signature(client: Client) -> None:
    certificate = issued()
    payload = json.loads(certificate.payload)
    payload["holder_en"] = FORGED
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    Certificate.objects.filter(pk=certificate.pk).update(payload=text, holder_name_en=FORGED)
    body = client.get(f"/api/v1/certificates/{certificate.id}/verify").json()
    assert (body["genuine"], body["problem"], body["holder_name"]) == (False, "signature", None)
    assert FORGED not in english(client, f"/verify/{certificate.id}")


def test_the_qr_token_is_checked_when_posted(client: Client) -> None:
    certificate = issued()
    client.cookies["django_language"] = "en"
    url = f"http://testserver/verify/{certificate.id}#"
    good = client.post("/verify/", {"payload": url + certificate_token(certificate)})
    assert "Signature valid" in good.content.decode()
    forged = client.post("/verify/", {"payload": url + forged_token(certificate, holder_en=FORGED)})
    page = forged.content.decode()
    assert "This QR code is not genuine" in page and FORGED not in page
