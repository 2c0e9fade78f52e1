from tests.applications.conftest import (  # noqa: F401 - the same autouse fixtures apply here
    _ledger_holds_after_each_test,
    _quiet_side_effects,
)
