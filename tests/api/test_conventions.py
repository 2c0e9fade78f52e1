"""API conventions: the error shape, the OpenAPI document, the public catalogue."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/services" in paths
    assert "/api/v1/centres" in paths


def test_bad_pagination_gives_the_one_error_shape(client: Client) -> None:
    response = client.get("/api/v1/services?limit=501")
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "invalid_input"
    assert body["error"]["message"]
    assert "details" in body["error"]


def test_error_message_follows_accept_language(client: Client) -> None:
    english = client.get("/api/v1/centres?limit=0", HTTP_ACCEPT_LANGUAGE="en").json()
    bengali = client.get("/api/v1/centres?limit=0", HTTP_ACCEPT_LANGUAGE="bn").json()
    assert english["error"]["code"] == bengali["error"]["code"] == "invalid_input"
    assert english["error"]["message"] == "Some of the input is not valid."
    assert bengali["error"]["message"] != english["error"]["message"]
