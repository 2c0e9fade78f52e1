"""The consoles tests use the applications tests' fixtures: the ledger's invariants after
each test, no adapter latency, SMS in memory, uploads in a temporary directory."""

from tests.applications.conftest import (  # noqa: F401 - autouse fixtures, used by name
    _ledger_holds_after_each_test,
    _quiet_side_effects,
)
