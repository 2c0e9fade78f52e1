"""What a submission and a workflow step produce: the one rule set of applications.

The counter (``services.application_submit``, ``services.application_act``) and the batch
path (``batch.py``, the network simulator's) both ask these plans what to write, then
write it their own way: the ORM for one application, bulk statements for thousands. A
plan is pure: it reads no database and writes nothing; the callers look up the accounts,
holidays and numbers it needs and hand them in.

A submission plan gives the fee lines and total, the hold state, the RTPS due date and
the first step's due date, the adapter code, the history row, the hold transfers (with
their derived ids) and the rollup event. A step plan gives the state after one workflow
action, whether it posts, voids, delivers or certifies, its history row, its transfers and
its rollup events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sahayata.applications.rules import (
    FeeHeadSpec,
    FeeLine,
    add_working_days,
    due_date,
    fee_lines,
    fee_total,
)
from sahayata.applications.workflows import SYSTEM, Action, Effect, Workflow
from sahayata.audit.services import EventSpec
from sahayata.transparency.services import RollupEventSpec
from sahayata.wallet.engine import PostSpec, TransferSpec, VoidSpec

# The hold states of an application's fee (``models.HoldState``'s values: this module
# must not import the models).
HOLD_NONE, HOLD_HELD, HOLD_POSTED, HOLD_VOIDED = "none", "held", "posted", "voided"
SERVICE_FEE = "service_fee"  # wallet.models.TransferCode.SERVICE_FEE

# A fixed namespace: changing it would change every transfer id we derive.
TRANSFER_NAMESPACE = uuid.UUID("5b1d0f3e-6a8c-4d4e-9f51-2c8b7a1e0d93")


def transfer_id(*, application_no: str, fee_code: str, step: str) -> uuid.UUID:
    """The id of a fee head's ``hold``, ``post`` or ``void``: a retry after a crash finds
    the transfer it already made instead of moving money twice."""
    # uuid.uuid5's value, built without UUID.__init__'s checks (the batch paths derive
    # three per fee head): SHA-1 of namespace and name, version 5, RFC 4122 variant.
    digest = hashlib.sha1(  # noqa: S324 - uuid5 is SHA-1 by definition, not a security hash
        _NAMESPACE_BYTES + f"{application_no}|{fee_code}|{step}".encode()
    ).digest()
    value = (int.from_bytes(digest[:16]) & _UUID5_CLEAR) | _UUID5_SET
    made = object.__new__(uuid.UUID)
    object.__setattr__(made, "int", value)
    object.__setattr__(made, "is_safe", uuid.SafeUUID.unknown)
    return made


_NAMESPACE_BYTES = TRANSFER_NAMESPACE.bytes
# Version 5 in bits 76-79, variant 0b10 in bits 62-63 (as UUID(bytes=..., version=5)).
_UUID5_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID5_SET = (5 << 76) | (0x8000 << 48)


# --- The calendar of working days -------------------------------------------------------


class Calendar:
    """Working days after a date, with the listed holidays the caller read (memoised: a
    batch asks the same few questions thousands of times)."""

    def __init__(self, holidays: set[dt.date]) -> None:
        self.holidays = holidays
        self._after: dict[tuple[dt.date, int], dt.date] = {}
        self._due: dict[tuple[dt.date, int], dt.date] = {}

    def working_days_after(self, start: dt.date, days: int) -> dt.date:
        key = (start, days)
        if key not in self._after:
            self._after[key] = add_working_days(start, days, self.holidays)
        return self._after[key]

    def due(self, submitted_on: dt.date, time_limit_days: int) -> dt.date:
        """The RTPS due date of an application submitted on ``submitted_on``."""
        key = (submitted_on, time_limit_days)
        if key not in self._due:
            self._due[key] = due_date(submitted_on, time_limit_days, self.holidays)
        return self._due[key]

    def state_due(self, workflow: Workflow, state: str, entered_on: dt.date) -> dt.date | None:
        """When the step ``state`` must be done by, if it has a time limit of its own."""
        limit = workflow.state(state).time_limit_days
        return None if limit is None else self.working_days_after(entered_on, limit)


def calendar_horizon_days(workflow: Workflow, time_limit_days: int) -> int:
    """The longest limit, in working days, that a plan of this workflow counts."""
    limits = [state.time_limit_days or 0 for state in workflow.states]
    return max([time_limit_days, *limits])


# --- A service's terms ------------------------------------------------------------------


def definition_heads(definition: Mapping[str, Any]) -> tuple[FeeHeadSpec, ...]:
    """The fee heads of a published service version's definition."""
    return tuple(
        FeeHeadSpec(
            code=head["code"],
            name_en=head["name_en"],
            name_bn=head["name_bn"],
            payee=head["payee"],
            amount_paise=int(head.get("amount_paise") or 0),
            amount_from_field=head.get("amount_from_field") or "",
        )
        for head in definition.get("fee_heads", [])
    )


def adapter_code_for(workflow: Workflow, service_adapter_code: str) -> str:
    """The back end an application is sent to: none unless its workflow dispatches."""
    if any(state.dispatch for state in workflow.states):
        return service_adapter_code or workflow.default_adapter
    return ""


@dataclass(frozen=True)
class ServiceTerms:
    """What a submission of one service needs, from its published version."""

    service_id: int
    department_id: int
    code: str
    version: int
    workflow: Workflow
    time_limit_days: int
    adapter_code: str
    heads: tuple[FeeHeadSpec, ...]
    issues_certificate: bool

    # Cached: the batch path asks these for every application it writes.
    @cached_property
    def paid(self) -> bool:
        return bool(self.heads)

    @cached_property
    def amount_field(self) -> str:
        """The form field that carries the amount to pay, or ""."""
        return next((h.amount_from_field for h in self.heads if h.amount_from_field), "")

    @cached_property
    def dispatched_on_submit(self) -> bool:
        return self.workflow.state(self.workflow.initial_state).dispatch

    @cached_property
    def horizon_days(self) -> int:
        return calendar_horizon_days(self.workflow, self.time_limit_days)


def service_terms(
    *,
    service_id: int,
    department_id: int,
    code: str,
    version: int,
    definition: Mapping[str, Any],
    workflow: Workflow,
    service_time_limit_days: int,
    service_adapter_code: str,
    issues_certificate: bool,
) -> ServiceTerms:
    return ServiceTerms(
        service_id=service_id,
        department_id=department_id,
        code=code,
        version=version,
        workflow=workflow,
        time_limit_days=int(definition.get("time_limit_days") or service_time_limit_days),
        adapter_code=adapter_code_for(workflow, service_adapter_code),
        heads=definition_heads(definition),
        issues_certificate=issues_certificate,
    )


# --- Submission -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    from_state: str
    to_state: str
    actor_label: str = ""
    comment: str = ""


def step_audit(
    entry: HistoryEntry, *, number: str, actor: Any, at: dt.datetime, fee_paise: int | None = None
) -> EventSpec:
    """The audit event of one workflow step (its history entry), the same on the counter's
    path and the batch paths. ``fee_paise`` with the submission."""
    after: dict[str, Any] = {"status": entry.to_state}
    if entry.comment:
        after["comment"] = entry.comment
    if fee_paise is not None:
        after["fee_paise"] = fee_paise
    return EventSpec(
        f"application.{entry.action}",
        "application",
        number,
        actor=actor,
        before={"status": entry.from_state} if entry.from_state else None,
        after=after,
        actor_label=entry.actor_label,
        at=at,
    )


@dataclass(frozen=True)
class SubmissionPlan:
    terms: ServiceTerms
    fields: Mapping[str, Any]
    lines: tuple[FeeLine, ...]
    fee_paise: int
    hold: str
    status: str
    submitted_on: dt.date
    due_date: dt.date
    state_due_date: dt.date | None
    history: HistoryEntry

    @property
    def dispatch(self) -> bool:
        """Whether the adapter call is recorded with the submission."""
        return self.terms.dispatched_on_submit


def submission_plan(
    terms: ServiceTerms,
    fields: Mapping[str, Any],
    *,
    today: dt.date,
    calendar: Calendar,
    lines: Sequence[FeeLine] | None = None,
) -> SubmissionPlan:
    """What submitting ``fields`` (already cleaned by the form rules) today produces.

    ``lines``: the fee lines when the caller already has them for these fields (a batch
    of one service with a fixed fee computes them once)."""
    if lines is None:
        lines = fee_lines(terms.heads, fields)
    total = fee_total(lines)
    initial = terms.workflow.initial_state
    return SubmissionPlan(
        terms=terms,
        fields=fields,
        lines=tuple(lines),
        fee_paise=total,
        hold=HOLD_HELD if total else HOLD_NONE,
        status=initial,
        submitted_on=today,
        due_date=calendar.due(today, terms.time_limit_days),
        state_due_date=calendar.state_due(terms.workflow, initial, today),
        history=HistoryEntry("submit", "", initial),
    )


def hold_transfers(
    plan: SubmissionPlan,
    *,
    number: str,
    wallet_account_id: int,
    payee_account_id: Callable[[str], int],
    timeout_seconds: int | None = None,
) -> list[TransferSpec]:
    """One linked hold per fee line, from the centre's wallet to the line's payee."""
    return [
        TransferSpec(
            id=transfer_id(application_no=number, fee_code=line.code, step="hold"),
            debit_account_id=wallet_account_id,
            credit_account_id=payee_account_id(line.payee),
            amount_paise=line.amount_paise,
            code=SERVICE_FEE,
            reference=number,
            pending=True,
            timeout_seconds=timeout_seconds,
        )
        for line in plan.lines
    ]


def adapter_call_payload(
    *, service_code: str, fields: Mapping[str, Any], centre_code: str
) -> dict[str, Any]:
    """What the back end is sent about an application."""
    return {"service_code": service_code, "fields": dict(fields), "centre_code": centre_code}


def submitted_event(
    plan: SubmissionPlan,
    *,
    application_id: int,
    centre_id: int,
    at: dt.datetime,
    weight: int = 1,
    simulated: bool = False,
) -> RollupEventSpec:
    return RollupEventSpec(
        kind="application_submitted",
        occurred_at=at,
        centre_id=centre_id,
        service_id=plan.terms.service_id,
        weight=weight,
        application_id=application_id,
        simulated=simulated,
    )


# --- Workflow steps ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepPlan:
    """One workflow action on an application: what it changes and what it sets off."""

    action: str
    from_state: str
    to_state: str
    hold: str  # the hold state after the step
    posts: bool  # post every hold to its payee
    voids: bool  # void every hold: the money is back in the wallet
    delivers: bool
    certifies: bool
    closes: bool
    state_due_date: dt.date | None
    on_time: bool | None  # for a delivery: on or before the RTPS due date
    history: HistoryEntry


def step_plan(
    workflow: Workflow,
    step: Action,
    *,
    status: str,
    hold: str,
    today: dt.date,
    calendar: Calendar,
    due: dt.date,
    issues_certificate: bool,
    actor_label: str = "",
    comment: str = "",
) -> StepPlan:
    """Taking ``step`` (allowed from ``status``) today, with the fee's hold in ``hold``."""
    posts = Effect.POST in step.effects and hold == HOLD_HELD
    voids = not posts and Effect.VOID in step.effects and hold == HOLD_HELD
    delivers = Effect.DELIVER in step.effects
    return StepPlan(
        action=step.code,
        from_state=status,
        to_state=step.to_state,
        hold=HOLD_POSTED if posts else HOLD_VOIDED if voids else hold,
        posts=posts,
        voids=voids,
        delivers=delivers,
        certifies=delivers and issues_certificate,
        closes=workflow.is_terminal(step.to_state),
        state_due_date=calendar.state_due(workflow, step.to_state, today),
        on_time=(today <= due) if delivers else None,
        history=HistoryEntry(step.code, status, step.to_state, actor_label, comment),
    )


def post_transfers(*, number: str, fee_codes: Sequence[str]) -> list[PostSpec]:
    return [
        PostSpec(
            id=transfer_id(application_no=number, fee_code=code, step="post"),
            pending_id=transfer_id(application_no=number, fee_code=code, step="hold"),
        )
        for code in fee_codes
    ]


def void_transfers(*, number: str, fee_codes: Sequence[str]) -> list[VoidSpec]:
    return [
        VoidSpec(
            id=transfer_id(application_no=number, fee_code=code, step="void"),
            pending_id=transfer_id(application_no=number, fee_code=code, step="hold"),
        )
        for code in fee_codes
    ]


def step_events(
    plan: StepPlan,
    *,
    application_id: int,
    centre_id: int,
    service_id: int,
    fee_paise: int,
    posted_transfer_id: uuid.UUID | None,
    at: dt.datetime,
    weight: int = 1,
    simulated: bool = False,
) -> list[RollupEventSpec]:
    """The rollup events of a step: the payment (one per application, for the whole fee,
    whatever its number of fee heads) and the delivery."""
    events = []
    if plan.posts:
        events.append(
            RollupEventSpec(
                kind="payment_posted",
                occurred_at=at,
                centre_id=centre_id,
                service_id=service_id,
                amount_paise=fee_paise,
                application_id=application_id,
                transfer_id=str(posted_transfer_id),
                simulated=simulated,
            )
        )
    if plan.delivers:
        events.append(
            RollupEventSpec(
                kind="service_delivered",
                occurred_at=at,
                centre_id=centre_id,
                service_id=service_id,
                weight=weight,
                application_id=application_id,
                on_time=plan.on_time,
                simulated=simulated,
            )
        )
    return events


def actor_label_for(step: Action) -> str:
    """Who takes a step in a simulated history: the system, or a simulated officer."""
    return "system" if SYSTEM in step.roles else "simulator"
