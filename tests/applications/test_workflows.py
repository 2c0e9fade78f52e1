"""The workflow definitions themselves (pure, no database)."""

from __future__ import annotations

import pytest

from sahayata.applications.workflows import (
    OFFICER,
    REGISTRY,
    SYSTEM,
    Action,
    Effect,
    State,
    UnknownWorkflow,
    Workflow,
    workflow_get,
)


@pytest.mark.parametrize("workflow", list(REGISTRY.values()), ids=lambda wf: wf.code)
def test_every_workflow_is_well_formed(workflow: Workflow) -> None:
    reachable = {workflow.initial_state}
    frontier = [workflow.initial_state]
    while frontier:
        for action in workflow.actions_from(frontier.pop()):
            if action.to_state not in reachable:
                reachable.add(action.to_state)
                frontier.append(action.to_state)
    assert reachable == {state.code for state in workflow.states}, "unreachable states"
    for state in workflow.states:
        exits = workflow.actions_from(state.code)
        assert bool(exits) != state.terminal, f"{state.code}: terminal iff no way out"
    for action in workflow.actions:
        assert action.roles
        # Money is settled exactly when an application ends, never left held at the end.
        if workflow.is_terminal(action.to_state):
            assert {Effect.POST, Effect.VOID} & set(action.effects)
        else:
            assert not {Effect.POST, Effect.VOID} & set(action.effects)


def test_bill_payment_has_no_officer_step_and_approvals_do() -> None:
    bill = workflow_get("bill_payment")
    assert all(action.roles == (SYSTEM,) for action in bill.actions)
    approval = workflow_get("verify_approve", 1)
    assert [a.code for a in approval.allowed_actions("pending_verification", OFFICER)] == [
        "verify",
        "reject",
        "return",
    ]
    assert approval.allowed_actions("pending_verification", "operator") == []


def test_versions_are_looked_up_exactly() -> None:
    assert workflow_get("single_approval").version == 1
    with pytest.raises(UnknownWorkflow):
        workflow_get("single_approval", 99)
    with pytest.raises(UnknownWorkflow):
        workflow_get("no_such_workflow")


def test_a_definition_with_an_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown state"):
        Workflow(
            code="broken",
            version=1,
            label="Broken",
            initial_state="a",
            states=(State("a", "A"),),
            actions=(Action("go", "Go", ("a",), "nowhere", (OFFICER,)),),
        )
