"""The count of requests the schemathesis run made, per role, printed after the run."""

from __future__ import annotations

import json

import pytest

FUZZ_REQUESTS: dict[str, int] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FUZZ_REQUESTS:
        line = {"fuzz_requests": sum(FUZZ_REQUESTS.values()), "per_role": FUZZ_REQUESTS}
        terminalreporter.write_line(f"schemathesis: {json.dumps(line)}")
