"""Declarative, versioned workflows that decide applications (in the spirit of DIGIT's).

A workflow is data: states, actions, the roles allowed to take each action, a time
limit per state and for the whole application. Definitions are code objects kept in
this module under ``(code, version)``; a published version is never edited, a change
is a new version. An application records the code and version it started under and
stays on it. Everything here is pure: no ORM.

Effects an action can have on money and the outside world:
- ``post``: capture the held fee (final approve, biller confirmed);
- ``void``: release the held fee back to the wallet (reject, failure, withdrawal);
- ``deliver``: the service is delivered (a certificate is issued where the service issues one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The pseudo-role of the system itself: adapter outcomes, reconciliation, timeouts.
SYSTEM = "system"
OFFICER = "officer"
OPERATOR = "operator"
SUPERVISOR = "supervisor"
COUNTER = (OPERATOR, SUPERVISOR)


class Effect:
    POST = "post"
    VOID = "void"
    DELIVER = "deliver"


@dataclass(frozen=True)
class State:
    code: str
    label: str | Promise
    # Working days the application may stay in this state; None: no limit of its own.
    time_limit_days: int | None = None
    terminal: bool = False
    # For an adapter-confirmed state: the back end is asked to do the service.
    dispatch: bool = False


@dataclass(frozen=True)
class Action:
    code: str
    label: str | Promise
    from_states: tuple[str, ...]
    to_state: str
    roles: tuple[str, ...]
    effects: tuple[str, ...] = ()
    comment_required: bool = False
    # Four eyes: whoever took one of these actions on the application may not take this one.
    not_by_actor_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workflow:
    code: str
    version: int
    label: str | Promise
    initial_state: str
    states: tuple[State, ...]
    actions: tuple[Action, ...]
    # Default adapter for dispatch states, when the service names none.
    default_adapter: str = ""
    # Whole-application limit in working days; None means "the service's RTPS limit".
    time_limit_days: int | None = None
    _state_index: dict[str, State] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        index = {state.code: state for state in self.states}
        object.__setattr__(self, "_state_index", index)
        if self.initial_state not in index:
            raise ValueError(f"{self.code}: unknown initial state {self.initial_state}")
        for action in self.actions:
            for state in (*action.from_states, action.to_state):
                if state not in index:
                    raise ValueError(f"{self.code}.{action.code}: unknown state {state}")
        # An action code may appear once per source state, so (state, action) is unambiguous.
        seen: set[tuple[str, str]] = set()
        for action in self.actions:
            for state in action.from_states:
                if (state, action.code) in seen:
                    raise ValueError(f"{self.code}: {action.code} twice from {state}")
                seen.add((state, action.code))

    def state(self, code: str) -> State:
        return self._state_index[code]

    def actions_from(self, state: str) -> list[Action]:
        return [action for action in self.actions if state in action.from_states]

    def action(self, state: str, code: str) -> Action | None:
        for action in self.actions_from(state):
            if action.code == code:
                return action
        return None

    def allowed_actions(self, state: str, role: str) -> list[Action]:
        return [action for action in self.actions_from(state) if role in action.roles]

    def is_terminal(self, state: str) -> bool:
        return self.state(state).terminal


# States shared by the definitions below (labels are what officers and citizens read).
DELIVERED = State("delivered", _("Delivered"), terminal=True)
FAILED = State("failed", _("Failed, fee refunded"), terminal=True)
APPROVED = State("approved", _("Approved"), terminal=True)
REJECTED = State("rejected", _("Rejected"), terminal=True)
WITHDRAWN = State("withdrawn", _("Withdrawn"), terminal=True)
RETURNED = State("returned", _("Returned for correction"), time_limit_days=7)


def _adapter_workflow(code: str, label: Promise, waiting: State, adapter: str) -> Workflow:
    return Workflow(
        code=code,
        version=1,
        label=label,
        initial_state=waiting.code,
        default_adapter=adapter,
        states=(waiting, DELIVERED, FAILED),
        actions=(
            Action(
                "confirm",
                _("Confirmed by the back end"),
                (waiting.code,),
                DELIVERED.code,
                (SYSTEM,),
                effects=(Effect.POST, Effect.DELIVER),
            ),
            Action(
                "fail",
                _("Failed at the back end"),
                (waiting.code,),
                FAILED.code,
                (SYSTEM,),
                effects=(Effect.VOID,),
            ),
        ),
    )


BILL_PAYMENT_V1 = _adapter_workflow(
    "bill_payment",
    _("Bill payment, confirmed by the biller"),
    State("awaiting_biller", _("Awaiting the biller"), time_limit_days=1, dispatch=True),
    "electricity_biller",
)
TREASURY_CHALLAN_V1 = _adapter_workflow(
    "treasury_challan",
    _("Treasury challan, confirmed later by the treasury"),
    State("awaiting_treasury", _("Awaiting the treasury"), time_limit_days=3, dispatch=True),
    "treasury_challan",
)
LAND_RECORDS_V1 = _adapter_workflow(
    "land_records",
    _("Land records, issued by the land records service"),
    State("awaiting_records", _("Awaiting land records"), time_limit_days=5, dispatch=True),
    "land_records",
)

SINGLE_APPROVAL_V1 = Workflow(
    code="single_approval",
    version=1,
    label=_("One-step approval"),
    initial_state="pending_approval",
    states=(
        State("pending_approval", _("Pending approval")),
        RETURNED,
        APPROVED,
        REJECTED,
        WITHDRAWN,
    ),
    actions=(
        Action(
            "approve",
            _("Approve"),
            ("pending_approval",),
            "approved",
            (OFFICER,),
            effects=(Effect.POST, Effect.DELIVER),
        ),
        Action(
            "reject",
            _("Reject"),
            ("pending_approval",),
            "rejected",
            (OFFICER,),
            effects=(Effect.VOID,),
            comment_required=True,
        ),
        Action(
            "return",
            _("Return for correction"),
            ("pending_approval",),
            "returned",
            (OFFICER,),
            comment_required=True,
        ),
        Action("resubmit", _("Resubmit"), ("returned",), "pending_approval", COUNTER),
        Action(
            "withdraw",
            _("Withdraw"),
            ("returned",),
            "withdrawn",
            COUNTER,
            effects=(Effect.VOID,),
        ),
    ),
)

VERIFY_APPROVE_V1 = Workflow(
    code="verify_approve",
    version=1,
    label=_("Verification, then approval"),
    initial_state="pending_verification",
    states=(
        State("pending_verification", _("Pending verification"), time_limit_days=None),
        State("pending_approval", _("Pending approval"), time_limit_days=None),
        RETURNED,
        APPROVED,
        REJECTED,
        WITHDRAWN,
    ),
    actions=(
        Action("verify", _("Verify"), ("pending_verification",), "pending_approval", (OFFICER,)),
        # The verifier never approves: a second officer does (applies to v1 applications
        # already open too, as a correction of the definition, not a change of the rules).
        Action(
            "approve",
            _("Approve"),
            ("pending_approval",),
            "approved",
            (OFFICER,),
            effects=(Effect.POST, Effect.DELIVER),
            not_by_actor_of=("verify",),
        ),
        Action(
            "reject",
            _("Reject"),
            ("pending_verification", "pending_approval"),
            "rejected",
            (OFFICER,),
            effects=(Effect.VOID,),
            comment_required=True,
        ),
        Action(
            "return",
            _("Return for correction"),
            ("pending_verification", "pending_approval"),
            "returned",
            (OFFICER,),
            comment_required=True,
        ),
        Action("resubmit", _("Resubmit"), ("returned",), "pending_verification", COUNTER),
        Action(
            "withdraw",
            _("Withdraw"),
            ("returned",),
            "withdrawn",
            COUNTER,
            effects=(Effect.VOID,),
        ),
    ),
)

REGISTRY: dict[tuple[str, int], Workflow] = {
    (wf.code, wf.version): wf
    for wf in (
        BILL_PAYMENT_V1,
        TREASURY_CHALLAN_V1,
        LAND_RECORDS_V1,
        SINGLE_APPROVAL_V1,
        VERIFY_APPROVE_V1,
    )
}


class UnknownWorkflow(LookupError):
    pass


def workflow_get(code: str, version: int | None = None) -> Workflow:
    """The given version of a workflow, or its latest when ``version`` is None."""
    if version is None:
        versions = [v for (c, v) in REGISTRY if c == code]
        if not versions:
            raise UnknownWorkflow(code)
        version = max(versions)
    try:
        return REGISTRY[(code, version)]
    except KeyError:
        raise UnknownWorkflow(f"{code} v{version}") from None


def state_label(code: str) -> str:
    """A human label for a state code, whichever workflow it belongs to."""
    for wf in REGISTRY.values():
        for state in wf.states:
            if state.code == code:
                return str(state.label)
    return code
