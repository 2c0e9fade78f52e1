"""The applications batch path's workflow steps come from the workflows themselves."""

from __future__ import annotations

import pytest

from sahayata.applications.batch import (
    APPROVE,
    EXPIRE,
    FAIL,
    REJECT,
    BatchError,
    workflow_path,
)
from sahayata.applications.workflows import REGISTRY, SYSTEM, Effect

ADAPTER_WORKFLOWS = {"bill_payment", "treasury_challan", "land_records"}


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_approve_walks_allowed_steps_to_delivery(key: tuple[str, int]) -> None:
    workflow = REGISTRY[key]
    state = workflow.initial_state
    path = workflow_path(workflow, APPROVE)
    for action in path:
        assert workflow.action(state, action.code) is action
        state = action.to_state
    assert Effect.DELIVER in path[-1].effects and Effect.POST in path[-1].effects
    assert workflow.is_terminal(state)


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_refusals_void_the_hold(key: tuple[str, int]) -> None:
    workflow = REGISTRY[key]
    if workflow.code in ADAPTER_WORKFLOWS:
        for outcome in (FAIL, EXPIRE):
            last = workflow_path(workflow, outcome)[-1]
            assert last.code == "fail" and SYSTEM in last.roles
            assert Effect.VOID in last.effects
        with pytest.raises(BatchError):
            workflow_path(workflow, REJECT)  # no officer decides a bill payment
    else:
        last = workflow_path(workflow, REJECT)[-1]
        assert last.code == "reject" and Effect.VOID in last.effects
        assert Effect.DELIVER not in last.effects
