"""Tracking keeps the citizen's mobile out of URLs (review finding 10): the page's form
posts with its CSRF token, the answer is not cached and does not echo the number, a GET
with a mobile in its query string looks nothing up; the API's GET stays as API.md has it,
beside a POST that takes the mobile in the body."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories.applications import counter, submitted
from tests.factories.catalogue import paid_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def application() -> Any:
    cache.clear()
    return submitted(at=counter(amount_paise=100_000), service=paid_service(amount_paise=1_000))


def test_the_form_posts_with_a_csrf_token() -> None:
    page = Client().get("/track/").content.decode()
    form = re.search(r'<form method="(\w+)" action="([^"]+)"[^>]*id="track-form"', page)
    assert form is not None and form.groups() == ("post", "/track/")
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_posted_lookup_answers_uncached_without_echoing_the_mobile(application: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    token = client.get("/track/").cookies["csrftoken"].value
    mobile = application.citizen.mobile
    response = client.post(
        "/track/",
        {"application_no": application.number, "mobile": mobile, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="track-result"' in body
    assert mobile not in body
    assert "no-store" in response["Cache-Control"]


def test_a_post_without_the_csrf_token_is_refused(application: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/track/", {"application_no": application.number, "mobile": application.citizen.mobile}
    )
    assert response.status_code == 403


def test_a_get_with_the_mobile_in_the_url_looks_nothing_up(application: Any) -> None:
    client = Client()
    response = client.get(
        "/track/", {"application_no": application.number, "mobile": application.citizen.mobile}
    )
    assert response.status_code == 302
    assert application.citizen.mobile not in response["Location"]
    response = client.get(response["Location"])
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="track-result"' not in body
    assert application.citizen.mobile not in body
    assert f'value="{application.number}"' in body  # the number from a QR code is kept


def test_the_api_tracks_by_get_as_api_md_says_and_by_post(application: Any) -> None:
    client = Client()
    query = {"application_no": application.number, "mobile": application.citizen.mobile}
    by_get = client.get("/api/v1/track", query)
    by_post = client.post("/api/v1/track", query, content_type="application/json")
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json() == by_post.json()
    assert by_get.json()["application_no"] == application.number
    wrong = client.post(
        "/api/v1/track",
        {**query, "mobile": "9000000000"},
        content_type="application/json",
    )
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found"
