"""Large bodies to the pages: refused with 413 by their Content-Length before a byte is
read, a form over DATA_UPLOAD_MAX_MEMORY_SIZE and a submission with its documents over
SAHAYATA_MAX_UPLOAD_REQUEST_BYTES; one within the limit is read and judged as before."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from sahayata.applications.models import Application
from tests.factories.applications import certificate_service, counter
from tests.factories.people import CitizenFactory
from tests.hostile.test_bad_bodies import TEN_MB, CountingStream

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, size: int, content_type: str) -> tuple[int, str, int]:
    stream = CountingStream(size)
    response = client.generic(
        "POST",
        url,
        b"",
        content_type=content_type,
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(size)},
    )
    return response.status_code, response.content.decode(), stream.read_bytes


@pytest.mark.parametrize("url", ["/accounts/login/", "/track/", "/verify/", "/i18n/setlang/"])
def test_ten_megabytes_of_form_are_413_unread(client: Client, url: str) -> None:
    status, page, read = _post(client, url, TEN_MB, "application/x-www-form-urlencoded")
    assert (status, read) == (413, 0)
    with translation.override("bn"):
        assert translation.gettext("Too large") in page


def test_a_submission_over_the_upload_limit_is_413_unread(client: Client, settings) -> None:
    at = counter()
    service = certificate_service()
    client.force_login(at.operator)
    url = f"/counter/citizens/{CitizenFactory().public_id}/apply/{service.code}/"
    over = settings.SAHAYATA_MAX_UPLOAD_REQUEST_BYTES + 1
    status, _page, read = _post(client, url, over, "multipart/form-data; boundary=x")
    assert (status, read) == (413, 0)
    # Within the limit the body is read, and the 2 MB document rule judges it.
    big = SimpleUploadedFile("id.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    response = client.post(url, {"form_token": "t", "father_name": "R", "doc_identity": big})
    assert response.status_code == 422
    assert Application.objects.count() == 0


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "declared", "content"),
    [
        ("id.png", "image/png", b"<html><script>alert(1)</script></html>"),
        ("id.pdf", "application/pdf", b"GIF89a" + b"\x00" * 16),
        ("id.jpg", "image/jpeg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='x'/>"),
        ("id.pdf", "application/pdf", b" %PDF-1.4"),  # the magic bytes must open the file
    ],
)
def test_an_upload_is_judged_by_its_bytes_not_its_name(
    client: Client, name: str, declared: str, content: bytes
) -> None:
    at = counter()
    service = certificate_service()
    client.force_login(at.operator)
    url = f"/counter/citizens/{CitizenFactory().public_id}/apply/{service.code}/"
    upload = SimpleUploadedFile(name, content, content_type=declared)
    data = {"step": "confirm", "form_token": "t", "father_name": "R", "doc_identity": upload}
    assert client.post(url, data).status_code == 422
    assert Application.objects.count() == 0


def test_a_png_named_pdf_is_stored_and_served_as_a_png(client: Client) -> None:
    from sahayata.applications.models import ApplicationDocument

    at = counter()
    service = certificate_service()
    client.force_login(at.operator)
    url = f"/counter/citizens/{CitizenFactory().public_id}/apply/{service.code}/"
    upload = SimpleUploadedFile("id.pdf", PNG, content_type="application/pdf")
    data = {"step": "confirm", "form_token": "t", "father_name": "R", "doc_identity": upload}
    assert client.post(url, data).status_code == 302
    document = ApplicationDocument.objects.get()
    assert document.content_type == "image/png"
    served = client.get(f"/applications/{document.application.number}/documents/{document.pk}/")
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
