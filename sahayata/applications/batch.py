"""The batch path of applications, for the network simulator.

It submits and decides many applications in one transaction through the same rules as
``services.application_submit`` and ``services.application_act``: numbers from the
per-(centre, financial year) counters (``rules.application_number_format``), RTPS due
dates with the holiday calendar (``rules.due_date``), fee lines (``rules.fee_lines``),
the declarative workflows (each step checked with ``Workflow.action``), the wallet's
batch path with the applications' own transfer ids (``payments.transfer_id``), history
rows, and the transparency outbox. Writes are bulk inserts and grouped updates.

Not done here, and said so: certificates are not issued and notices are not sent for
simulated applications (no citizen would receive them).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sahayata.applications import payments
from sahayata.applications.models import (
    Application,
    ApplicationFee,
    ApplicationHistory,
    HoldState,
    NumberCounter,
)
from sahayata.applications.rules import (
    FeeHeadSpec,
    FeeLine,
    add_working_days,
    application_number_format,
    due_date,
    fee_lines,
    fee_total,
    field_spec,
    fields_clean,
    financial_year_code,
)
from sahayata.applications.workflows import SYSTEM, Action, Effect, Workflow, workflow_get
from sahayata.catalogue.models import Department, Service
from sahayata.catalogue.selectors import service_current_version
from sahayata.core import bulk
from sahayata.transparency import services as transparency
from sahayata.transparency.services import RollupEventSpec
from sahayata.wallet.errors import TransfersRejected
from sahayata.wallet.models import TransferCode
from sahayata.wallet.services import (
    PostSpec,
    TransferSpec,
    VoidSpec,
    payee_account,
    transfers_apply,
)

APPROVE, REJECT, FAIL, EXPIRE = "approve", "reject", "fail", "expire"
OUTCOMES = (APPROVE, REJECT, FAIL, EXPIRE)


class BatchError(ValueError):
    """A programming error of the caller (an impossible plan), never a user's mistake."""


@dataclass(frozen=True)
class ServicePlan:
    """What a submission of one service needs, computed once from its published version."""

    service_id: int
    department_id: int
    code: str
    kind: str
    version: int
    workflow: Workflow
    time_limit_days: int
    adapter_code: str
    heads: tuple[FeeHeadSpec, ...]
    base_fields: dict[str, Any]
    amount_field: str  # the paise field that carries the amount, or ""
    fixed_paise: int  # the fee when no field carries it

    @property
    def paid(self) -> bool:
        return bool(self.heads)

    @cached_property
    def fixed_lines(self) -> tuple[FeeLine, ...]:
        """The fee lines of every application, when no form field carries the amount."""
        return tuple(fee_lines(self.heads, self.base_fields))

    def fee_for(self, amount_paise: int) -> int:
        """The whole fee of one application that brings ``amount_paise`` (if any)."""
        if not self.amount_field:
            return self.fixed_paise
        return fee_total(
            fee_lines(self.heads, self.base_fields | {self.amount_field: amount_paise})
        )

    @property
    def dispatched(self) -> bool:
        return any(state.dispatch for state in self.workflow.states)


def service_plan(service: Service) -> ServicePlan:
    """The plan of ``service``: its example form values are validated once by the same
    field rules; each simulated application then varies only the amount it pays."""
    version = service_current_version(service)
    definition = version.definition
    specs = [field_spec(item) for item in definition.get("form_fields", [])]
    heads = tuple(
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
    amount_field = next((h.amount_from_field for h in heads if h.amount_from_field), "")
    raw: dict[str, Any] = {}
    for item in definition.get("form_fields", []):
        if not item.get("required", True):
            continue
        value = item.get("example", "")
        if item.get("type") in {"paise", "number"} and str(value).lstrip("-").isdigit():
            value = int(str(value))
        raw[item["name"]] = value
    if amount_field:
        raw[amount_field] = 100_00
    clean, problems = fields_clean(specs, raw)
    if problems:
        raise BatchError(f"{service.code}: example values fail the form rules: {problems}")
    workflow = workflow_get(definition.get("workflow_code") or service.workflow_code)
    adapter = ""
    if any(state.dispatch for state in workflow.states):
        adapter = service.adapter_code or workflow.default_adapter
    return ServicePlan(
        service_id=service.pk,
        department_id=service.department_id,
        code=service.code,
        kind=service.kind,
        version=version.version,
        workflow=workflow,
        time_limit_days=int(definition.get("time_limit_days") or service.time_limit_days),
        adapter_code=adapter,
        heads=heads,
        base_fields=clean,
        amount_field=amount_field,
        fixed_paise=fee_total(
            fee_lines(heads, {k: v for k, v in clean.items() if k != amount_field})
        ),
    )


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
    hold_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def fee_paise(self) -> int:
        return fee_total(self.lines)

    def holds(self) -> list[uuid.UUID]:
        """The ids of its fee holds, one per line (derived again after a restart)."""
        if len(self.hold_ids) != len(self.lines):
            self.hold_ids = [
                payments.transfer_id(application_no=self.number, fee_code=line.code, step="hold")
                for line in self.lines
            ]
        return self.hold_ids


@dataclass(frozen=True)
class Decision:
    application: Submitted
    outcome: str


class _Payees:
    """The payee account of each (payee, department, adapter), looked up once."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, int, str], int] = {}
        self._departments: dict[int, Department] = {}

    def account_id(self, payee: str, department_id: int, adapter_code: str) -> int:
        key = (payee, department_id, adapter_code)
        if key not in self._ids:
            department = self._departments.get(department_id)
            if department is None:
                department = Department.objects.get(pk=department_id)
                self._departments[department_id] = department
            account = payee_account(payee=payee, department=department, adapter_code=adapter_code)
            self._ids[key] = account.pk
        return self._ids[key]


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
)


class _PlanRow:
    """The adapted column values every application of one plan shares at one moment.

    Each field not set here or per application gets its model default, as
    ``Application(...)`` would; values are adapted once per batch, not once per row.
    """

    def __init__(self, now: dt.datetime, today: dt.date, holidays: set[dt.date]) -> None:
        ops = connection.ops
        self.at = ops.adapt_datetimefield_value(now)
        self.today = today
        self.today_db = ops.adapt_datefield_value(today)
        self.holidays = holidays
        self.fields = [
            f for f in Application._meta.concrete_fields if f.column not in APPLICATION_OWN_COLUMNS
        ]
        self.columns = (*APPLICATION_OWN_COLUMNS, *(f.column for f in self.fields))
        self._tuples: dict[int, tuple[Any, ...]] = {}
        self._days: dict[int, dt.date] = {}

    def working_days_after(self, days: int) -> dt.date:
        if days not in self._days:
            self._days[days] = add_working_days(self.today, days, self.holidays)
        return self._days[days]

    def due(self, plan: ServicePlan) -> dt.date:
        """The RTPS due date of an application of ``plan`` submitted today."""
        key = -1 - plan.time_limit_days  # apart from the working-day counts above
        if key not in self._days:
            self._days[key] = due_date(self.today, plan.time_limit_days, self.holidays)
        return self._days[key]

    def shared(self, plan: ServicePlan) -> tuple[Any, ...]:
        if plan.service_id in self._tuples:
            return self._tuples[plan.service_id]
        state_limit = plan.workflow.state(plan.workflow.initial_state).time_limit_days
        state_due = None if state_limit is None else self.working_days_after(state_limit)
        date = connection.ops.adapt_datefield_value
        known = {
            "service_id": plan.service_id,
            "service_version": plan.version,
            "department_id": plan.department_id,
            "workflow_code": plan.workflow.code,
            "workflow_version": plan.workflow.version,
            "status": plan.workflow.initial_state,
            "adapter_code": plan.adapter_code,
            "submitted_at": self.at,
            "submitted_on": self.today_db,
            "due_date": date(self.due(plan)),
            "state_entered_at": self.at,
            "state_due_date": date(state_due),
        }
        values = []
        for f in self.fields:
            if f.attname in known:
                values.append(known[f.attname])
            else:
                values.append(f.get_db_prep_save(f.get_default(), connection))
        self._tuples[plan.service_id] = shared = tuple(values)
        return shared


def _numbers(items: Sequence[NewApplication], on: dt.date) -> list[str]:
    """Take the next numbers at each centre, locking its counter row like the service does
    (plain statements: a simulated day touches thousands of counters)."""
    fy_code = financial_year_code(on)
    centre_ids = sorted({item.centre_id for item in items})
    table = NumberCounter._meta.db_table
    cursor = bulk.dbapi_cursor()
    if connection.vendor == "postgresql":
        cursor.execute(
            f"INSERT INTO {table} (centre_id, financial_year, last_value) "  # noqa: S608
            "SELECT c, %s, 0 FROM unnest(%s::bigint[]) AS c "
            "ON CONFLICT (centre_id, financial_year) DO NOTHING",
            [fy_code, centre_ids],
        )
        cursor.execute(
            f"SELECT id, centre_id, last_value FROM {table} "  # noqa: S608
            "WHERE financial_year = %s AND centre_id = ANY(%s) ORDER BY id FOR UPDATE",
            [fy_code, centre_ids],
        )
        rows = cursor.fetchall()
    else:
        cursor.executemany(
            f"INSERT INTO {table} (centre_id, financial_year, last_value) VALUES (?, ?, 0) "  # noqa: S608
            "ON CONFLICT (centre_id, financial_year) DO NOTHING",
            [(c, fy_code) for c in centre_ids],
        )
        rows = []
        for start in range(0, len(centre_ids), 10_000):
            part = centre_ids[start : start + 10_000]
            cursor.execute(
                f"SELECT id, centre_id, last_value FROM {table} "  # noqa: S608
                f"WHERE financial_year = ? AND centre_id IN ({', '.join(['?'] * len(part))})",
                [fy_code, *part],
            )
            rows.extend(cursor.fetchall())
    last = {centre_id: value for _, centre_id, value in rows}
    ids = {centre_id: pk for pk, centre_id, _ in rows}
    numbers = []
    for item in items:
        last[item.centre_id] += 1
        numbers.append(
            application_number_format(
                centre_code=item.centre_code, fy_code=fy_code, sequence=last[item.centre_id]
            )
        )
    if connection.vendor == "postgresql":
        cursor.execute(
            f"UPDATE {table} AS t SET last_value = v.last "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, last) WHERE t.id = v.id",
            [[ids[c] for c in centre_ids], [last[c] for c in centre_ids]],
        )
    else:
        cursor.executemany(
            f"UPDATE {table} SET last_value = ? WHERE id = ?",  # noqa: S608
            [(last[c], ids[c]) for c in centre_ids],
        )
    return numbers


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
    """Submit ``items`` at ``now``: numbers, applications, fee lines, holds, history, events.

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
    with transaction.atomic():
        numbers = _numbers(items, today)
        ids = bulk.ids_reserve(Application, len(items))
        shared = _PlanRow(now, today, holidays)
        rows: list[tuple[Any, ...]] = []
        fees: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        holds: list[TransferSpec] = []
        events: list[RollupEventSpec] = []
        submitted: list[Submitted] = []
        payees = _Payees()  # per call: account ids must not outlive a rolled-back transaction
        fixed_json: dict[int, str] = {}
        for row_id, item, number in zip(ids, items, numbers, strict=True):
            plan = item.plan
            lines: Sequence[FeeLine]
            if plan.amount_field:
                if not 1 <= item.amount_paise <= 10**15:
                    raise BatchError(f"{plan.code}: amount out of range")
                form = plan.base_fields | {plan.amount_field: item.amount_paise}
                lines = fee_lines(plan.heads, form)
                form_json = json.dumps(form)
            else:
                lines = plan.fixed_lines
                if plan.service_id not in fixed_json:
                    fixed_json[plan.service_id] = json.dumps(plan.base_fields)
                form_json = fixed_json[plan.service_id]
            total = fee_total(lines)
            token = (token_for(number, item) if token_for else item.token) or None
            rows.append(
                (
                    row_id,
                    number,
                    item.centre_id,
                    item.citizen_id,
                    item.operator_id,
                    token,
                    form_json,
                    total,
                    HoldState.HELD if total else HoldState.NONE,
                    *shared.shared(plan),
                )
            )
            sub = Submitted(
                row_id,
                number,
                plan,
                item.centre_id,
                today,
                shared.due(plan),
                list(lines),
                item.weight,
            )
            submitted.append(sub)
            timeout = (
                hold_timeout_for(number, plan) if hold_timeout_for else item.hold_timeout_seconds
            )
            for position, line in enumerate(lines):
                fees.append(
                    (
                        row_id,
                        line.code,
                        line.name_en,
                        line.name_bn,
                        line.payee,
                        line.amount_paise,
                        position,
                    )
                )
                hold_id = payments.transfer_id(
                    application_no=number, fee_code=line.code, step="hold"
                )
                sub.hold_ids.append(hold_id)
                holds.append(
                    TransferSpec(
                        id=hold_id,
                        debit_account_id=wallet_of[item.centre_id],
                        credit_account_id=payees.account_id(
                            line.payee, plan.department_id, plan.adapter_code
                        ),
                        amount_paise=line.amount_paise,
                        code=TransferCode.SERVICE_FEE,
                        reference=number,
                        pending=True,
                        timeout_seconds=timeout,
                    )
                )
            history.append(
                (
                    row_id,
                    "submit",
                    "",
                    plan.workflow.initial_state,
                    item.operator_id,
                    "",
                    "",
                    shared.at,
                )
            )
            events.append(
                RollupEventSpec(
                    kind="application_submitted",
                    occurred_at=now,
                    centre_id=item.centre_id,
                    service_id=plan.service_id,
                    weight=item.weight,
                    application_id=row_id,
                    simulated=simulated,
                )
            )
        bulk.rows_insert(Application, shared.columns, rows)
        bulk.rows_insert(ApplicationFee, FEE_COLUMNS, fees)
        bulk.rows_insert(ApplicationHistory, HISTORY_COLUMNS, history)
        _wallet_batch(holds, now)
        _rollups(events, rollup_sink)
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


@dataclass(frozen=True)
class _Step:
    code: str
    from_state: str
    to_state: str
    actor_label: str
    posts: bool
    voids: bool
    delivers: bool


_PATHS: dict[tuple[str, int, str], tuple[_Step, ...]] = {}


def _path(workflow: Workflow, outcome: str) -> tuple[_Step, ...]:
    """``workflow_path`` as checked steps, found once per (workflow, version, outcome)."""
    key = (workflow.code, workflow.version, outcome)
    if key not in _PATHS:
        steps = []
        state = workflow.initial_state
        for action in workflow_path(workflow, outcome):
            if workflow.action(state, action.code) is None:
                raise BatchError(f"{workflow.code}: {action.code} not allowed from {state}")
            steps.append(
                _Step(
                    code=action.code,
                    from_state=state,
                    to_state=action.to_state,
                    actor_label="system" if SYSTEM in action.roles else "simulator",
                    posts=Effect.POST in action.effects,
                    voids=Effect.VOID in action.effects,
                    delivers=Effect.DELIVER in action.effects,
                )
            )
            state = action.to_state
        _PATHS[key] = tuple(steps)
    return _PATHS[key]


def applications_decide_batch(
    *,
    decisions: Iterable[Decision],
    now: dt.datetime,
    simulated: bool = True,
    rollup_sink: list[RollupEventSpec] | None = None,
) -> dict[str, int]:
    """Take each decision's workflow steps at ``now``: posts or voids, history, events.

    ``expire`` expects the wallet's sweeper (``holds_expire``) to have voided the hold
    already; the system then closes the application as failed, as a late adapter would.
    Returns how many applications ended in each outcome. ``rollup_sink``: as in
    ``applications_submit_batch``.
    """
    decisions = list(decisions)
    if not decisions:
        return {}
    today = timezone.localtime(now).date()
    counts: dict[str, int] = defaultdict(int)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    wallet_ops: list[Any] = []
    history: list[tuple] = []
    at = connection.ops.adapt_datetimefield_value(now)
    events: list[RollupEventSpec] = []
    for decision in decisions:
        sub, outcome = decision.application, decision.outcome
        hold: str = HoldState.HELD if sub.lines else HoldState.NONE
        if outcome == EXPIRE:
            hold = HoldState.VOIDED if sub.lines else HoldState.NONE
        state = sub.plan.workflow.initial_state
        for step in _path(sub.plan.workflow, outcome):
            if step.posts and hold == HoldState.HELD:
                post_ids = [
                    payments.transfer_id(application_no=sub.number, fee_code=line.code, step="post")
                    for line in sub.lines
                ]
                wallet_ops.extend(
                    PostSpec(id=post_id, pending_id=hold_id)
                    for post_id, hold_id in zip(post_ids, sub.holds(), strict=True)
                )
                hold = HoldState.POSTED
                events.append(
                    RollupEventSpec(
                        kind="payment_posted",
                        occurred_at=now,
                        centre_id=sub.centre_id,
                        service_id=sub.plan.service_id,
                        amount_paise=sub.fee_paise,
                        application_id=sub.id,
                        transfer_id=str(post_ids[0]),
                        simulated=simulated,
                    )
                )
            if step.voids and hold == HoldState.HELD:
                wallet_ops.extend(
                    VoidSpec(
                        id=payments.transfer_id(
                            application_no=sub.number, fee_code=line.code, step="void"
                        ),
                        pending_id=hold_id,
                    )
                    for line, hold_id in zip(sub.lines, sub.holds(), strict=True)
                )
                hold = HoldState.VOIDED
            if step.delivers:
                events.append(
                    RollupEventSpec(
                        kind="service_delivered",
                        occurred_at=now,
                        centre_id=sub.centre_id,
                        service_id=sub.plan.service_id,
                        weight=sub.weight,
                        application_id=sub.id,
                        on_time=today <= sub.due_date,
                        simulated=simulated,
                    )
                )
            history.append(
                (sub.id, step.code, step.from_state, step.to_state, None, step.actor_label, "", at)
            )
            state = step.to_state
        groups[(state, hold)].append(sub.id)
        counts[outcome] += 1
    with transaction.atomic():
        _wallet_batch(wallet_ops, now)
        for (final_state, final_hold), ids in groups.items():
            bulk.rows_update(
                Application,
                ids,
                {
                    "status": final_state,
                    "hold": final_hold,
                    "is_open": False,
                    "closed_at": at,
                    "state_entered_at": at,
                    "state_due_date": None,
                },
            )
        bulk.rows_insert(ApplicationHistory, HISTORY_COLUMNS, history)
        _rollups(events, rollup_sink)
    return dict(counts)
