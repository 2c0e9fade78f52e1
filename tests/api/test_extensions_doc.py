"""What the docs say the API answers is what the code can answer: every error code in the
table of docs/API-extensions.md, and every code the OpenAPI document's error descriptions
name, is in the registry (the domain's error classes and the API layer's own codes)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

import sahayata.site.api  # noqa: F401 - assembles the API, importing every app's errors
from sahayata.api.main import OWN_ERROR_CODES
from sahayata.core.errors import error_codes

DOC = Path(settings.BASE_DIR) / "docs" / "API-extensions.md"
TABLE_ROW = re.compile(r"^\| (\d{3}) \| `([a-z_]+)` \|", re.MULTILINE)
CODE = re.compile(r"^[a-z]+(?:_[a-z]+)*$")


def registry() -> set[str]:
    return error_codes() | OWN_ERROR_CODES


def test_the_registry_holds_the_codes_the_contract_names() -> None:
    # A few API.md names, so that the registry itself cannot be empty or partial.
    assert {"insufficient_funds", "idempotency_key_reused", "not_found", "busy"} <= registry()


def test_every_code_in_the_extensions_doc_is_in_the_registry() -> None:
    rows = TABLE_ROW.findall(DOC.read_text())
    assert len(rows) >= 4
    assert sorted({code for _status, code in rows} - registry()) == []


def _named_codes(description: str) -> set[str]:
    """The codes a description names: the leading identifiers of each parenthesis, as in
    "(idempotency_key_required, idempotency_key_invalid)" or "(busy: nothing was done)"."""
    named = set()
    for group in re.findall(r"\(([^()]*)\)", description):
        for item in re.split(r"[;:]", group)[0].split(","):
            if CODE.match(item.strip()):
                named.add(item.strip())
    return named


@pytest.mark.django_db
def test_every_code_the_openapi_error_descriptions_name_is_in_the_registry(
    client: Client,
) -> None:
    document: dict[str, Any] = client.get("/api/v1/openapi.json").json()
    named: set[str] = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    named |= _named_codes(response.get("description", ""))
    assert {"busy", "unauthenticated", "idempotency_key_reused", "too_large"} <= named
    assert sorted(named - registry()) == []
