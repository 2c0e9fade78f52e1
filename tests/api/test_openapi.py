"""The OpenAPI document tells the truth about errors: each operation lists every error
status it can answer, each in the one error shape, and the Idempotency-Key header where
it is taken (tests/api/test_fuzz.py checks the answers against it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
IDEMPOTENT = [
    ("post", "/api/v1/applications"),
    ("post", "/api/v1/applications/{application_no}/actions"),
    ("post", "/api/v1/centres/{code}/wallet/topups"),
    ("post", "/api/v1/topups/{topup_id}/approve"),
    ("post", "/api/v1/topups/{topup_id}/reject"),
]
EXPECTED = {
    ("get", "/api/v1/services"): {200, 422},
    ("get", "/api/v1/transparency/summary"): {200},
    ("get", "/api/v1/track"): {200, 404, 422, 429},
    ("post", "/api/v1/track"): {200, 400, 404, 413, 415, 422, 429},
    ("get", "/api/v1/certificates/{certificate_id}/verify"): {200, 404},
    ("get", "/api/v1/centres/{code}/wallet"): {200, 401, 403, 404},
    ("get", "/api/v1/centres/{code}/wallet/statement"): {200, 401, 403, 404, 422},
    ("get", "/api/v1/topups"): {200, 401, 403, 422},
    ("get", "/api/v1/applications/{application_no}"): {200, 401, 403, 404},
    ("post", "/api/v1/applications"): {201, 400, 401, 403, 404, 409, 413, 415, 422},
    ("post", "/api/v1/topups/{topup_id}/approve"): {200, 400, 401, 403, 404, 409, 413, 415, 422},
}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_the_error_shape_is_a_component(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ErrorOut"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert set(schemas["ErrorBody"]["required"]) == {"code", "message", "details"}


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_each_operation_lists_the_statuses_it_answers(
    document: dict[str, Any], method: str, path: str
) -> None:
    responses = document["paths"][path][method]["responses"]
    assert {int(status) for status in responses} == EXPECTED[(method, path)]


def test_every_error_response_is_the_one_error_shape(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        if operation.get("security"):
            assert {"401", "403"} <= set(errors), (method, path)
        for status, response in errors.items():
            assert response["content"] == {"application/json": {"schema": ERROR_REF}}, (
                method,
                path,
                status,
            )
            assert response["description"]


def test_every_operation_with_a_query_or_body_documents_422_and_with_a_path_404(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        statuses = set(operation["responses"])
        places = {p["in"] for p in operation.get("parameters", [])}
        if "query" in places or "requestBody" in operation:
            assert "422" in statuses, (method, path)
        if "path" in places:
            assert "404" in statuses, (method, path)
        if method == "post":
            assert {"400", "413", "415"} <= statuses, (method, path)


@pytest.mark.parametrize(("method", "path"), IDEMPOTENT)
def test_idempotent_operations_take_the_key_header(
    document: dict[str, Any], method: str, path: str
) -> None:
    operation = document["paths"][path][method]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header["required"] is True
    assert (header["schema"]["minLength"], header["schema"]["maxLength"]) == (1, 255)
    assert {"400", "409"} <= set(operation["responses"])


def test_the_statement_documents_its_csv(document: dict[str, Any]) -> None:
    ok = document["paths"]["/api/v1/centres/{code}/wallet/statement"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {"application/json", "text/csv"}


def test_every_success_has_a_schema(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 300:
                assert "schema" in response["content"]["application/json"], (method, path)
