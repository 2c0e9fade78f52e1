"""Schemathesis over the whole OpenAPI document, as every role with API access and
anonymously: no 5xx, every status documented, every body matching its schema and the
content types right. Requests go through Django's WSGI application in this process, on
the test database (SQLite or PostgreSQL, whichever the run uses).

``SAHAYATA_FUZZ_EXAMPLES`` (default 10) is the number of generated cases per operation,
role and generation mode (valid input, and input the document forbids); half of them,
at random, name the role's real centre, application and top-up instead of generated ones,
so that the fuzzing reaches past "not found". The number of requests made is printed at
the end of the run (see ``conftest.py``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sahayata.people.models import Role
from sahayata.people.tokens import api_token_create
from tests.api.conftest import FUZZ_REQUESTS
from tests.factories.people import UserFactory
from tests.hostile.conftest import World
from tests.hostile.conftest import world as world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SAHAYATA_FUZZ_EXAMPLES", "10"))
ROLES = ["anonymous", *Role.values]
# Not negative_data_rejection: it counts an unknown query parameter that is ignored, as
# HTTP allows, as "invalid data accepted".
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_test_transaction(db: None) -> Iterator[None]:
    """Keep the test's connection open across requests, as Django's test client does (a
    request would otherwise close it, and the test's transaction with it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        cache.clear()  # the public lookups' miss counters


@pytest.fixture
def schema(in_test_transaction: None) -> Any:
    """The document as the API serves it."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _tokens(world: World) -> dict[str, str]:
    tokens = dict(world.tokens)
    tokens["district"] = api_token_create(user=UserFactory(role=Role.DISTRICT))
    return tokens


def _aim(case: Any, world: World) -> None:
    """Point a generated case at the world's real objects."""
    real = {
        "code": world.centre_code,
        "application_no": world.application_no,
        "topup_id": world.topup_id,
    }
    for name in list(case.path_parameters or {}):
        if name in real:
            case.path_parameters[name] = real[name]
    if isinstance(case.body, dict):
        if "centre_code" in case.body:
            case.body["centre_code"] = world.centre_code
        if "service_code" in case.body:
            case.body["service_code"] = world.service_code


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(
    operation: Any, mode: GenerationMode, role: str, headers: dict[str, str], world: World
) -> None:
    """Run one operation's generated cases, counting the requests made as ``role``."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), aim=st.booleans())
    def run(case: Any, aim: bool) -> None:
        if aim:
            _aim(case, world)
        response = case.call(headers=headers)
        FUZZ_REQUESTS[role] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    with contextlib.suppress(Unsatisfiable):  # no input of this operation can be invalid
        run()


@pytest.mark.parametrize("role", ROLES)
def test_the_whole_api_as(role: str, schema: Any, world: World) -> None:
    tokens = _tokens(world)
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}
    FUZZ_REQUESTS.setdefault(role, 0)
    failures: list[str] = []
    for operation in _operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, role, headers, world)
            except Exception as failure:  # every operation is tried; all failures reported
                failures.append(f"{operation.label} ({mode}): {failure}")
    assert FUZZ_REQUESTS[role] > 0
    assert not failures, "\n\n".join(failures)
