"""Bodies no client should send, by hand: 10 MB (413 before a byte of it is read), the
wrong content type (415), invalid UTF-8 (400), and 10^18 paise (422) wherever paise are
taken. Each refusal is in the one error shape and changes nothing."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from tests.factories.catalogue import bill_service
from tests.hostile.conftest import API, World, error_of, snapshot

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


class CountingStream(io.RawIOBase):
    """A body of ``size`` bytes that records how much of it was read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"{" * n
        self.read_bytes += n
        return n


def _posts(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            f"/centres/{world.centre_code}/wallet/topups",
            "operator",
            {"amount_paise": 50_000, "bank_reference": "UTRBODY0001"},
        ),
        (
            "/applications",
            "operator",
            {
                "centre_code": world.centre_code,
                "service_code": world.service_code,
                "citizen": {"name": "Body Test", "mobile": "9830012345"},
                "fields": {"plot_no": "1"},
            },
        ),
        (f"/applications/{world.application_no}/actions", "officer", {"action": "approve"}),
        (f"/topups/{world.topup_id}/approve", "finance2", {}),
        (f"/topups/{world.topup_id}/reject", "finance", {"reason": "no"}),
    ]


def _send(world: World, path: str, who: str, data: Any, content_type: str, **extra: Any) -> Any:
    return world.client.generic(
        "POST",
        f"{API}{path}",
        data,
        content_type=content_type,
        **world.headers(who, HTTP_IDEMPOTENCY_KEY=f"body-{path}-{content_type}"[:200], **extra),
    )


def test_ten_megabytes_are_refused_with_413_before_any_of_it_is_read(world: World) -> None:
    before = snapshot(world)
    for path, who, _body in _posts(world):
        stream = CountingStream(TEN_MB)
        response = _send(
            world,
            path,
            who,
            b"",
            "application/json",
            **{"wsgi.input": stream, "CONTENT_LENGTH": str(TEN_MB)},
        )
        assert response.status_code == 413, (path, response.content[:200])
        assert error_of(response)["code"] == "too_large"
        assert stream.read_bytes == 0, path
    assert snapshot(world) == before


def test_a_body_just_over_the_limit_is_413_and_one_at_it_is_read(
    world: World, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    path, who, body = _posts(world)[0]
    padded = json.dumps({**body, "bank_reference": "UTRPAD0001", "pad": "x" * 2_000})
    assert _send(world, path, who, padded, "application/json").status_code == 413
    fits = json.dumps({**body, "bank_reference": "UTRPAD0002"})
    assert _send(world, path, who, fits, "application/json").status_code == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/json-patch+json",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
    ],
)
def test_a_body_that_is_not_json_is_refused_with_415(world: World, content_type: str) -> None:
    before = snapshot(world)
    for path, who, body in _posts(world):
        response = _send(world, path, who, json.dumps(body), content_type)
        assert response.status_code == 415, (path, content_type, response.content[:200])
        assert error_of(response)["code"] == "unsupported_media_type"
    assert snapshot(world) == before


def test_json_with_a_utf8_charset_is_accepted(world: World) -> None:
    path, who, body = _posts(world)[0]
    response = _send(world, path, who, json.dumps(body), "application/json; charset=UTF-8")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "raw",
    [
        b'{"amount_paise": 5000, "bank_reference": "UTR\xff\xfe"}',
        b'{"amount_paise": 5000, "bank_reference": "\xc3\x28"}',
        b'{"amount_paise": 5000, "bank_reference": "\xed\xa0\x80"}',  # a lone surrogate
        b"\xef\xbb\xbf\xff",
        b'{"amount_paise": 5000, "bank_reference": "\xf8\x88\x80\x80\x80"}',
    ],
)
@pytest.mark.parametrize("language", ["bn", "en"])
def test_invalid_utf8_is_400_in_the_error_shape(world: World, raw: bytes, language: str) -> None:
    before = snapshot(world)
    for path, who, _body in _posts(world):
        if path.endswith("/approve"):
            continue  # takes no body: what is sent there is not read
        response = _send(world, path, who, raw, "application/json", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400, (path, response.content[:200])
        error = error_of(response)
        assert error["code"] == "invalid_request"
        english = "The request body is not valid JSON in UTF-8."
        assert (error["message"] == english) == (language == "en")
    assert snapshot(world) == before


HUGE = [10**18, -(10**18), 10**15 + 1, 2**63, 2**63 - 1, 2**64, -(2**63) - 1]


@pytest.mark.parametrize("paise", HUGE)
def test_huge_paise_are_422_everywhere_paise_are_taken(world: World, paise: int) -> None:
    bill = bill_service()
    before = snapshot(world)
    topup = _send(
        world,
        f"/centres/{world.centre_code}/wallet/topups",
        "operator",
        json.dumps({"amount_paise": paise, "bank_reference": f"UTRHUGE{paise % 997}"}),
        "application/json",
    )
    assert topup.status_code == 422
    assert error_of(topup)["code"] == "invalid_input"
    application = _send(
        world,
        "/applications",
        "operator",
        json.dumps(
            {
                "centre_code": world.centre_code,
                "service_code": bill.code,
                "citizen": {"name": "Huge Bill", "mobile": "9830012345"},
                "fields": {"consumer_id": "112233445", "bill_amount_paise": paise},
            }
        ),
        "application/json",
    )
    assert application.status_code == 422, application.content[:300]
    assert error_of(application)["code"] in {"invalid_input", "invalid_fields"}
    assert snapshot(world) == before
    for query in (f"from=1&to={paise}", f"from={paise}&to=1", f"limit={paise}", f"offset={paise}"):
        path = "/transparency/log/consistency" if "from" in query else "/transparency/log/heads"
        response = Client().get(f"{API}{path}?{query}")
        assert response.status_code == 422, (query, response.content[:200])
        assert error_of(response)["code"] == "invalid_input"
