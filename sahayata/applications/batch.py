"""The batch path of applications, for the network simulator: bulk writing only.

What a submission or a workflow step produces is decided by ``plans``, the rules the
counter (``services.application_submit``, ``services.application_act``) asks too; numbers
come from ``numbering.numbers_take``, the counter's own. This module only writes those
plans for many applications in one transaction: bulk inserts, grouped updates, and the
wallet's batch path with the same transfer ids.

Left out on purpose (``tests/applications/test_equivalence.py`` names each): notices (a
simulated citizen receives no SMS) and certificates (a signed certificate for a person
who does not exist would verify as genuine on /verify/). The adapter call of a bill or a
challan is recorded, and settled by the simulated decision, as the dispatcher would.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sahayata.applications import payments, plans
from sahayata.applications.models import Application, ApplicationFee, ApplicationHistory
from sahayata.applications.numbering import numbers_take
from sahayata.applications.rules import (
    FeeLine,
    application_number_format,
    fee_lines,
    fee_total,
    field_spec,
    fields_clean,
    financial_year_code,
)
from sahayata.applications.workflows import Action, Effect, Workflow
from sahayata.catalogue.models import Department, Service
from sahayata.catalogue.selectors import service_current_version
from sahayata.core import bulk
from sahayata.core.ids import uuid7
from sahayata.integrations.adapters import adapter_get
from sahayata.integrations.models import AdapterCall
from sahayata.transparency import services as transparency
from sahayata.transparency.services import RollupEventSpec
from sahayata.wallet.errors import TransfersRejected
from sahayata.wallet.services import transfers_apply

APPROVE, REJECT, FAIL, EXPIRE = "approve", "reject", "fail", "expire"
OUTCOMES = (APPROVE, REJECT, FAIL, EXPIRE)


class BatchError(ValueError):
    """A programming error of the caller (an impossible plan), never a user's mistake."""


@dataclass(frozen=True)
class ServicePlan:
    """A service's terms (``plans.ServiceTerms``) with the form values its simulated
    applications bring: its example values, validated once by the form rules."""

    terms: plans.ServiceTerms
    kind: str
    base_fields: dict[str, Any]

    @property
    def service_id(self) -> int:
        return self.terms.service_id

    @property
    def department_id(self) -> int:
        return self.terms.department_id

    @property
    def code(self) -> str:
        return self.terms.code

    @property
    def workflow(self) -> Workflow:
        return self.terms.workflow

    @property
    def time_limit_days(self) -> int:
        return self.terms.time_limit_days

    @property
    def amount_field(self) -> str:
        return self.terms.amount_field

    @property
    def paid(self) -> bool:
        return self.terms.paid

    @cached_property
    def fixed_lines(self) -> tuple[FeeLine, ...]:
        """The fee lines of every application, when no form field carries the amount."""
        return tuple(fee_lines(self.terms.heads, self.base_fields))

    @cached_property
    def fixed_paise(self) -> int:
        fields = {k: v for k, v in self.base_fields.items() if k != self.amount_field}
        return fee_total(fee_lines(self.terms.heads, fields))

    def fee_for(self, amount_paise: int) -> int:
        """The whole fee of one application that brings ``amount_paise`` (if any)."""
        if not self.amount_field:
            return self.fixed_paise
        return fee_total(self.lines_for(amount_paise))

    def lines_for(self, amount_paise: int) -> Sequence[FeeLine]:
        if not self.amount_field:
            return self.fixed_lines
        return fee_lines(self.terms.heads, self.fields_for(amount_paise))

    def fields_for(self, amount_paise: int) -> dict[str, Any]:
        if not self.amount_field:
            return self.base_fields
        return self.base_fields | {self.amount_field: amount_paise}


def service_plan(service: Service) -> ServicePlan:
    """The plan of ``service``: its example form values are validated once by the same
    field rules; each simulated application then varies only the amount it pays."""
    from sahayata.applications.services import service_terms_of

    version = service_current_version(service)
    terms = service_terms_of(service, version)
    definition = version.definition
    specs = [field_spec(item) for item in definition.get("form_fields", [])]
    raw: dict[str, Any] = {}
    for item in definition.get("form_fields", []):
        if not item.get("required", True):
            continue
        value = item.get("example", "")
        if item.get("type") in {"paise", "number"} and str(value).lstrip("-").isdigit():
            value = int(str(value))
        raw[item["name"]] = value
    if terms.amount_field:
        raw[terms.amount_field] = 100_00
    clean, problems = fields_clean(specs, raw)
    if problems:
        raise BatchError(f"{service.code}: example values fail the form rules: {problems}")
    return ServicePlan(terms=terms, kind=service.kind, base_fields=clean)


def workflow_path(workflow: Workflow, outcome: str) -> tuple[Action, ...]:
    """The steps from the initial state to ``outcome``, found in the workflow itself.

    approve: to a state reached by a step with the DELIVER effect; reject and fail: the
    first step with the VOID effect taken by an officer (reject) or the system (fail);
    expire is the system's fail after the wallet's sweeper voided the hold.
    """
    wanted_effect = Effect.DELIVER if outcome == APPROVE else Effect.VOID
    wanted_code = {APPROVE: None, REJECT: "reject", FAIL: "fail", EXPIRE: "fail"}[outcome]
    frontier: list[tuple[str, tuple[Action, ...]]] = [(workflow.initial_state, ())]
    seen = {workflow.initial_state}
    while frontier:
        state, path = frontier.pop(0)
        for action in workflow.actions_from(state):
            if action.comment_required and action.code == "return":
                continue
            step_path = (*path, action)
            if wanted_effect in action.effects and wanted_code in (None, action.code):
                return step_path
            if action.to_state not in seen and not workflow.is_terminal(action.to_state):
                seen.add(action.to_state)
                frontier.append((action.to_state, step_path))
    raise BatchError(f"{workflow.code}: no path to {outcome}")


@dataclass
class NewApplication:
    plan: ServicePlan
    centre_id: int
    centre_code: str
    operator_id: int
    citizen_id: int
    amount_paise: int = 0  # for services whose amount comes from a form field
    weight: int = 1
    token: str = ""
    hold_timeout_seconds: int | None = None


@dataclass
class Submitted:
    id: int
    number: str
    plan: ServicePlan
    centre_id: int
    submitted_on: dt.date
    due_date: dt.date
    lines: list[FeeLine] = field(default_factory=list)
    weight: int = 1

    @property
    def fee_paise(self) -> int:
        return fee_total(self.lines)

    @property
    def fee_codes(self) -> list[str]:
        return [line.code for line in self.lines]


@dataclass(frozen=True)
class Decision:
    application: Submitted
    outcome: str


class _Payees:
    """The payee lookup of each (department, adapter), made once per batch: account ids
    must not outlive a rolled-back transaction."""

    def __init__(self) -> None:
        self._lookups: dict[tuple[int, str], Callable[[str], int]] = {}

    def lookup(self, department_id: int, adapter_code: str) -> Callable[[str], int]:
        key = (department_id, adapter_code)
        if key not in self._lookups:
            self._lookups[key] = payments.payee_lookup(
                department=Department.objects.get(pk=department_id), adapter_code=adapter_code
            )
        return self._lookups[key]


FEE_COLUMNS = ("application_id", "code", "name_en", "name_bn", "payee", "amount_paise", "position")
HISTORY_COLUMNS = (
    "application_id",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "actor_label",
    "comment",
    "at",
)
ADAPTER_CALL_COLUMNS = (
    "id",
    "adapter_code",
    "reference",
    "amount_paise",
    "payload",
    "state",
    "external_reference",
    "attempts",
    "last_error",
    "created_at",
    "updated_at",
    "deadline_at",
)
# The columns of an application row that vary between applications of one plan (first),
# then those that one plan's applications share at one time (see ``_PlanRow``).
APPLICATION_OWN_COLUMNS = (
    "id",
    "number",
    "centre_id",
    "citizen_id",
    "submitted_by_id",
    "client_token",
    "fields",
    "fee_paise",
    "hold",
    "sample_weight",
)


class _PlanRow:
    """The adapted column values every application of one service shares on one day.

    Each field not set here or per application gets its model default, as
    ``Application(...)`` would; values are adapted once per batch, not once per row.
    """

    def __init__(self, now: dt.datetime) -> None:
        ops = connection.ops
        self.at = ops.adapt_datetimefield_value(now)
        self.fields = [
            f for f in Application._meta.concrete_fields if f.column not in APPLICATION_OWN_COLUMNS
        ]
        self.columns = (*APPLICATION_OWN_COLUMNS, *(f.column for f in self.fields))
        self._tuples: dict[int, tuple[Any, ...]] = {}

    def shared(self, plan: plans.SubmissionPlan) -> tuple[Any, ...]:
        """The shared values: a plan's status and dates depend only on its service and day."""
        terms = plan.terms
        if terms.service_id in self._tuples:
            return self._tuples[terms.service_id]
        date = connection.ops.adapt_datefield_value
        known = {
            "service_id": terms.service_id,
            "service_version": terms.version,
            "department_id": terms.department_id,
            "workflow_code": terms.workflow.code,
            "workflow_version": terms.workflow.version,
            "status": plan.status,
            "adapter_code": terms.adapter_code,
            "submitted_at": self.at,
            "submitted_on": date(plan.submitted_on),
            "due_date": date(plan.due_date),
            "state_entered_at": self.at,
            "state_due_date": date(plan.state_due_date),
        }
        values = []
        for f in self.fields:
            if f.attname in known:
                values.append(known[f.attname])
            else:
                values.append(f.get_db_prep_save(f.get_default(), connection))
        self._tuples[terms.service_id] = shared = tuple(values)
        return shared


def _numbers(items: Sequence[NewApplication], on: dt.date) -> list[str]:
    """The next numbers at each centre, in the order of ``items``, by the counter's own
    ``numbers_take``."""
    fy_code = financial_year_code(on)
    last = numbers_take(counts=Counter(item.centre_id for item in items), on=on)
    taken = Counter[int]()
    numbers = []
    counts = Counter(item.centre_id for item in items)
    for item in items:
        taken[item.centre_id] += 1
        sequence = last[item.centre_id] - counts[item.centre_id] + taken[item.centre_id]
        numbers.append(
            application_number_format(
                centre_code=item.centre_code, fy_code=fy_code, sequence=sequence
            )
        )
    return numbers


class _SubmitRows:
    """The rows of one submission batch, gathered before they are written."""

    def __init__(self, now: dt.datetime, simulated: bool) -> None:
        self.now = now
        self.simulated = simulated
        self.shared = _PlanRow(now)
        self.applications: list[tuple[Any, ...]] = []
        self.fees: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []
        self.holds: list[Any] = []
        self.events: list[RollupEventSpec] = []
        self.calls: list[tuple[Any, ...]] = []
        self.payees = _Payees()
        self._json: dict[int, str] = {}
        self._deadlines: dict[str, Any] = {}

    def fields_json(self, item: NewApplication, form: Mapping[str, Any]) -> str:
        if item.plan.amount_field:
            return json.dumps(form)
        if item.plan.service_id not in self._json:
            self._json[item.plan.service_id] = json.dumps(form)
        return self._json[item.plan.service_id]

    def call_id(self) -> Any:
        return AdapterCall._meta.pk.get_db_prep_save(uuid7(), connection)

    def deadline(self, adapter_code: str) -> Any:
        if adapter_code not in self._deadlines:
            within = adapter_get(adapter_code).confirm_within_seconds
            self._deadlines[adapter_code] = connection.ops.adapt_datetimefield_value(
                self.now + dt.timedelta(seconds=within)
            )
        return self._deadlines[adapter_code]

    def add(
        self,
        row_id: int,
        number: str,
        item: NewApplication,
        plan: plans.SubmissionPlan,
        *,
        token: str | None,
        wallet_id: int,
        timeout: int | None,
    ) -> None:
        terms = plan.terms
        form_json = self.fields_json(item, plan.fields)
        self.applications.append(
            (
                row_id,
                number,
                item.centre_id,
                item.citizen_id,
                item.operator_id,
                token,
                form_json,
                plan.fee_paise,
                plan.hold,
                item.weight,
                *self.shared.shared(plan),
            )
        )
        self.fees.extend(
            (row_id, line.code, line.name_en, line.name_bn, line.payee, line.amount_paise, pos)
            for pos, line in enumerate(plan.lines)
        )
        if plan.lines:
            self.holds.extend(
                plans.hold_transfers(
                    plan,
                    number=number,
                    wallet_account_id=wallet_id,
                    payee_account_id=self.payees.lookup(terms.department_id, terms.adapter_code),
                    timeout_seconds=timeout,
                )
            )
        entry = plan.history
        self.history.append(
            (
                row_id,
                entry.action,
                entry.from_state,
                entry.to_state,
                item.operator_id,
                entry.actor_label,
                entry.comment,
                self.shared.at,
            )
        )
        self.events.append(
            plans.submitted_event(
                plan,
                application_id=row_id,
                centre_id=item.centre_id,
                at=self.now,
                weight=item.weight,
                simulated=self.simulated,
            )
        )
        if plan.dispatch:
            # plans.adapter_call_payload, with the fields' JSON already made for the row.
            payload = (
                f'{{"service_code": {json.dumps(terms.code)}, "fields": {form_json}, '
                f'"centre_code": {json.dumps(item.centre_code)}}}'
            )
            self.calls.append(
                (
                    self.call_id(),
                    terms.adapter_code,
                    number,
                    plan.fee_paise,
                    payload,
                    AdapterCall.State.PENDING,
                    "",  # external reference
                    0,  # attempts
                    "",  # last error
                    self.shared.at,
                    self.shared.at,
                    self.deadline(terms.adapter_code),
                )
            )


def applications_submit_batch(
    *,
    items: Sequence[NewApplication],
    now: dt.datetime,
    holidays: set[dt.date],
    wallet_of: dict[int, int],
    token_for: Callable[[str, NewApplication], str] | None = None,
    hold_timeout_for: Callable[[str, ServicePlan], int | None] | None = None,
    simulated: bool = True,
    rollup_sink: list[RollupEventSpec] | None = None,
) -> list[Submitted]:
    """Submit ``items`` at ``now``: numbers, applications, fee lines, holds, history, events
    and adapter calls, as ``plans.submission_plan`` says for each.

    All or nothing: the holds go through the wallet's batch path, which refuses the whole
    batch if any wallet cannot hold its fee (the caller tops wallets up first).
    ``token_for`` and ``hold_timeout_for`` give each application its submission token and
    its holds' timeout once its number is known. With a ``rollup_sink`` the rollup events
    are appended to it (the caller folds them in this transaction, see
    ``rollups_fold_batch``) instead of being written to the outbox.
    """
    if not items:
        return []
    today = timezone.localtime(now).date()
    calendar = plans.Calendar(holidays)
    with transaction.atomic():
        numbers = _numbers(items, today)
        ids = bulk.ids_reserve(Application, len(items))
        rows = _SubmitRows(now, simulated)
        submitted: list[Submitted] = []
        for row_id, item, number in zip(ids, items, numbers, strict=True):
            service = item.plan
            if service.amount_field and not 1 <= item.amount_paise <= 10**15:
                raise BatchError(f"{service.code}: amount out of range")
            plan = plans.submission_plan(
                service.terms,
                service.fields_for(item.amount_paise),
                today=today,
                calendar=calendar,
                lines=service.lines_for(item.amount_paise),
            )
            token = (token_for(number, item) if token_for else item.token) or None
            timeout = (
                hold_timeout_for(number, service) if hold_timeout_for else item.hold_timeout_seconds
            )
            rows.add(
                row_id,
                number,
                item,
                plan,
                token=token,
                wallet_id=wallet_of[item.centre_id],
                timeout=timeout,
            )
            submitted.append(
                Submitted(
                    row_id,
                    number,
                    service,
                    item.centre_id,
                    today,
                    plan.due_date,
                    list(plan.lines),
                    item.weight,
                )
            )
        bulk.rows_insert(Application, rows.shared.columns, rows.applications)
        bulk.rows_insert(ApplicationFee, FEE_COLUMNS, rows.fees)
        bulk.rows_insert(ApplicationHistory, HISTORY_COLUMNS, rows.history)
        if rows.calls:
            bulk.rows_insert(AdapterCall, ADAPTER_CALL_COLUMNS, rows.calls)
        _wallet_batch(rows.holds, now)
        _rollups(rows.events, rollup_sink)
    return submitted


def _rollups(events: list[RollupEventSpec], sink: list[RollupEventSpec] | None) -> None:
    if sink is None:
        transparency.rollup_events_record_batch(events=events)
    else:
        sink.extend(events)


def _wallet_batch(ops: Sequence[Any], now: dt.datetime) -> None:
    """The wallet's batch path at the simulated time: every operation applied, or
    ``TransfersRejected`` and nothing written (``transfers_create_batch`` semantics)."""
    if not ops:
        return
    with transaction.atomic():
        outcomes = transfers_apply(ops=ops, now=now)
        failed = [
            {"index": index, "code": outcome.error.code}
            for index, outcome in enumerate(outcomes)
            if outcome.error is not None
        ]
        if failed:
            raise TransfersRejected(
                f"{len(failed)} transfers of the batch were refused: {failed[:5]}",
                details={"failed": failed[:20], "count": len(failed)},
            )


_PATHS: dict[tuple[str, int, str], tuple[Action, ...]] = {}


def _path(workflow: Workflow, outcome: str) -> tuple[Action, ...]:
    """``workflow_path``, each step checked against the workflow, found once per
    (workflow, version, outcome)."""
    key = (workflow.code, workflow.version, outcome)
    if key not in _PATHS:
        state = workflow.initial_state
        path = workflow_path(workflow, outcome)
        for action in path:
            if workflow.action(state, action.code) is None:
                raise BatchError(f"{workflow.code}: {action.code} not allowed from {state}")
            state = action.to_state
        _PATHS[key] = path
    return _PATHS[key]


class _DecideRows:
    """The writes of one decision batch, gathered before they are written."""

    def __init__(self, now: dt.datetime, simulated: bool) -> None:
        self.now = now
        self.today = timezone.localtime(now).date()
        self.simulated = simulated
        self.at = connection.ops.adapt_datetimefield_value(now)
        self.calendar = plans.Calendar(set())  # terminal states have no step limit
        self.wallet_ops: list[Any] = []
        self.history: list[tuple[Any, ...]] = []
        self.events: list[RollupEventSpec] = []
        self.groups: dict[tuple[str, str, bool], list[int]] = defaultdict(list)
        self.calls: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._steps: dict[tuple[Any, ...], plans.StepPlan] = {}

    def step(
        self, terms: plans.ServiceTerms, action: Action, status: str, hold: str, due: dt.date
    ) -> plans.StepPlan:
        """``plans.step_plan``, asked once per distinct question of the batch."""
        key = (terms.service_id, action.code, status, hold, due)
        if key not in self._steps:
            self._steps[key] = plans.step_plan(
                terms.workflow,
                action,
                status=status,
                hold=hold,
                today=self.today,
                calendar=self.calendar,
                due=due,
                issues_certificate=terms.issues_certificate,
                actor_label=plans.actor_label_for(action),
            )
        return self._steps[key]

    def decide(self, sub: Submitted, outcome: str) -> None:
        terms = sub.plan.terms
        workflow = terms.workflow
        hold = plans.HOLD_HELD if sub.lines else plans.HOLD_NONE
        if outcome == EXPIRE and sub.lines:
            hold = plans.HOLD_VOIDED  # the wallet's sweeper voided it already
        status = workflow.initial_state
        step = None
        for action in _path(workflow, outcome):
            step = self.step(terms, action, status, hold, sub.due_date)
            post_ids: list[uuid.UUID] = []
            if step.posts:
                posts = plans.post_transfers(number=sub.number, fee_codes=sub.fee_codes)
                post_ids = [post.id for post in posts]
                self.wallet_ops.extend(posts)
            if step.voids:
                self.wallet_ops.extend(
                    plans.void_transfers(number=sub.number, fee_codes=sub.fee_codes)
                )
            self.events.extend(
                plans.step_events(
                    step,
                    application_id=sub.id,
                    centre_id=sub.centre_id,
                    service_id=terms.service_id,
                    fee_paise=sub.fee_paise,
                    posted_transfer_id=post_ids[0] if post_ids else None,
                    at=self.now,
                    weight=sub.weight,
                    simulated=self.simulated,
                )
            )
            entry = step.history
            self.history.append(
                (
                    sub.id,
                    entry.action,
                    entry.from_state,
                    entry.to_state,
                    None,
                    entry.actor_label,
                    entry.comment,
                    self.at,
                )
            )
            status, hold = step.to_state, step.hold
        if step is None or not step.closes or step.state_due_date is not None:
            raise BatchError(f"{workflow.code}: {outcome} does not close the application")
        self.groups[(status, hold, step.delivers)].append(sub.id)
        if terms.dispatched_on_submit:
            state = AdapterCall.State.CONFIRMED if outcome == APPROVE else AdapterCall.State.FAILED
            self.calls[(terms.adapter_code, state)].append(sub.number)


def applications_decide_batch(
    *,
    decisions: Iterable[Decision],
    now: dt.datetime,
    simulated: bool = True,
    rollup_sink: list[RollupEventSpec] | None = None,
) -> dict[str, int]:
    """Take each decision's workflow steps at ``now``, as ``plans.step_plan`` says for each:
    posts or voids, history, events, and the settling of its adapter call.

    ``expire`` expects the wallet's sweeper (``holds_expire``) to have voided the hold
    already; the system then closes the application as failed, as a late adapter would.
    Returns how many applications ended in each outcome. ``rollup_sink``: as in
    ``applications_submit_batch``.
    """
    decisions = list(decisions)
    if not decisions:
        return {}
    counts: dict[str, int] = defaultdict(int)
    rows = _DecideRows(now, simulated)
    for decision in decisions:
        rows.decide(decision.application, decision.outcome)
        counts[decision.outcome] += 1
    with transaction.atomic():
        _wallet_batch(rows.wallet_ops, now)
        for (final_state, final_hold, _delivered), ids in rows.groups.items():
            bulk.rows_update(
                Application,
                ids,
                {
                    "status": final_state,
                    "hold": final_hold,
                    "is_open": False,
                    "closed_at": rows.at,
                    "state_entered_at": rows.at,
                    "state_due_date": None,
                },
            )
        for (adapter_code, state), references in rows.calls.items():
            for start in range(0, len(references), 500):
                AdapterCall.objects.filter(
                    adapter_code=adapter_code, reference__in=references[start : start + 500]
                ).update(state=state, attempts=1, completed_at=now, updated_at=now)
        bulk.rows_insert(ApplicationHistory, HISTORY_COLUMNS, rows.history)
        _rollups(rows.events, rollup_sink)
    return dict(counts)
