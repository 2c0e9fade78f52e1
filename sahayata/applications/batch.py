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
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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
from sahayata.transparency.services import RollupEventSpec, rollup_events_record_batch
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

    @property
    def fee_paise(self) -> int:
        return fee_total(self.lines)


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


def _unnest_insert_sql(model: Any, columns: Sequence[str], suffix: str = "") -> str:
    """PostgreSQL: one short INSERT of every row, one array parameter per column (psycopg
    parses a statement longer than 4 KiB anew at every call, and per-row statements cost the
    server more). Only identifiers and column types are interpolated."""
    types = {f.column: f.db_type(connection) for f in model._meta.concrete_fields}
    arrays = ", ".join(f"%s::{types[c]}[]" for c in columns)
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays}){suffix}"
    )


def _insert(model: type[Any], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Multi-row INSERTs of plain values: the simulator writes millions of these rows, and
    model instances cost more than the database does. Only identifiers are interpolated."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        if rows:
            with connection.cursor() as cursor:
                cursor.execute(
                    _unnest_insert_sql(model, columns), [list(c) for c in zip(*rows, strict=True)]
                )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(  # noqa: S608
                [one] * len(part)
            )
            cursor.execute(sql, [value for row in part for value in row])


def _counters_save(counters: list[NumberCounter]) -> None:
    """One UPDATE … FROM (VALUES …) per 500 counters instead of a CASE per row."""
    table = NumberCounter._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(counters), 500):
            part = counters[start : start + 500]
            values = ", ".join(["(%s, %s)"] * len(part))
            sql = (
                f"UPDATE {table} SET last_value = v.column2 "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1"
            )
            cursor.execute(sql, [x for c in part for x in (c.pk, c.last_value)])


def _applications_insert(rows: list[dict[str, Any]]) -> list[int]:
    """Insert applications (each a dict of attribute name to value), returning their ids
    in order (by number, to be sure).

    Every concrete column is written: the values given, and each field's own default for
    the others (as ``Application(...)`` would fill them), adapted as Django's own save would
    adapt them, without building a model instance or ``bulk_create``'s SQL for each row.
    """
    fields = [f for f in Application._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    table = Application._meta.db_table
    ids: dict[str, int] = {}
    # Most values repeat within a batch (times, dates, codes): adapt each distinct one once.
    adapted: list[dict[Any, Any]] = [{} for _ in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    plan = [(f, f.attname, adapted[index]) for index, f in enumerate(fields)]

    def prep(field: Any, cache: dict[Any, Any], value: Any) -> Any:
        if isinstance(value, dict):
            return field.get_db_prep_save(value, connection)
        try:
            return cache[value]
        except KeyError:
            cache[value] = result = field.get_db_prep_save(value, connection)
            return result

    if connection.vendor == "postgresql":
        values = [
            [prep(f, cache, row[name] if name in row else defaults[name]) for row in rows]
            for f, name, cache in plan
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                _unnest_insert_sql(Application, columns, " RETURNING id, number"), values
            )
            ids.update({number: pk for pk, number in cursor.fetchall()})
        return [ids[row["number"]] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 400):
            part = rows[start : start + 400]
            params = [
                prep(f, cache, row[name] if name in row else defaults[name])
                for row in part
                for f, name, cache in plan
            ]
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
                + ", ".join([one] * len(part))
                + " RETURNING id, number"
            )
            cursor.execute(sql, params)
            ids.update({number: pk for pk, number in cursor.fetchall()})
    return [ids[row["number"]] for row in rows]


def _numbers(items: Sequence[NewApplication], on: dt.date) -> list[str]:
    """Take the next numbers at each centre, locking its counter row like the service does."""
    fy_code = financial_year_code(on)
    centre_ids = sorted({item.centre_id for item in items})
    NumberCounter.objects.bulk_create(
        [NumberCounter(centre_id=c, financial_year=fy_code) for c in centre_ids],
        ignore_conflicts=True,
    )
    counters = {
        counter.centre_id: counter
        for counter in NumberCounter.objects.select_for_update()
        .filter(centre_id__in=centre_ids, financial_year=fy_code)
        .order_by("pk")
    }
    numbers = []
    for item in items:
        counter = counters[item.centre_id]
        counter.last_value += 1
        numbers.append(
            application_number_format(
                centre_code=item.centre_code, fy_code=fy_code, sequence=counter.last_value
            )
        )
    _counters_save(list(counters.values()))
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
) -> list[Submitted]:
    """Submit ``items`` at ``now``: numbers, applications, fee lines, holds, history, events.

    All or nothing: the holds go through ``transfers_create_batch``, which refuses the
    whole batch if any wallet cannot hold its fee (the caller tops wallets up first).
    ``token_for`` and ``hold_timeout_for`` give each application its submission token and
    its holds' timeout once its number is known.
    """
    if not items:
        return []
    today = timezone.localtime(now).date()
    with transaction.atomic():
        numbers = _numbers(items, today)
        rows: list[dict[str, Any]] = []
        submitted: list[Submitted] = []
        due_cache: dict[int, dt.date] = {}
        for item, number in zip(items, numbers, strict=True):
            plan = item.plan
            fields = plan.base_fields
            if plan.amount_field:
                if not 1 <= item.amount_paise <= 10**15:
                    raise BatchError(f"{plan.code}: amount out of range")
                fields = fields | {plan.amount_field: item.amount_paise}
            lines = fee_lines(plan.heads, fields)
            if plan.time_limit_days not in due_cache:
                due_cache[plan.time_limit_days] = due_date(today, plan.time_limit_days, holidays)
            due = due_cache[plan.time_limit_days]
            total = fee_total(lines)
            initial = plan.workflow.initial_state
            state_limit = plan.workflow.state(initial).time_limit_days
            state_due = (
                None if state_limit is None else add_working_days(today, state_limit, holidays)
            )
            rows.append(
                dict(
                    number=number,
                    centre_id=item.centre_id,
                    service_id=plan.service_id,
                    service_version=plan.version,
                    department_id=plan.department_id,
                    citizen_id=item.citizen_id,
                    submitted_by_id=item.operator_id,
                    fields=fields,
                    workflow_code=plan.workflow.code,
                    workflow_version=plan.workflow.version,
                    status=initial,
                    fee_paise=total,
                    hold=HoldState.HELD if total else HoldState.NONE,
                    adapter_code=plan.adapter_code,
                    submitted_at=now,
                    submitted_on=today,
                    due_date=due,
                    state_entered_at=now,
                    state_due_date=state_due,
                    client_token=(token_for(number, item) if token_for else item.token) or None,
                )
            )
            submitted.append(
                Submitted(0, number, plan, item.centre_id, today, due, lines, item.weight)
            )
        created = _applications_insert(rows)
        fees: list[tuple] = []
        history: list[tuple] = []
        holds: list[TransferSpec] = []
        events: list[RollupEventSpec] = []
        at = connection.ops.adapt_datetimefield_value(now)
        payees = _Payees()  # per call: account ids must not outlive a rolled-back transaction
        for row_id, sub, item in zip(created, submitted, items, strict=True):
            sub.id = row_id
            for position, line in enumerate(sub.lines):
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
                holds.append(
                    TransferSpec(
                        id=payments.transfer_id(
                            application_no=sub.number, fee_code=line.code, step="hold"
                        ),
                        debit_account_id=wallet_of[item.centre_id],
                        credit_account_id=payees.account_id(
                            line.payee, sub.plan.department_id, sub.plan.adapter_code
                        ),
                        amount_paise=line.amount_paise,
                        code=TransferCode.SERVICE_FEE,
                        reference=sub.number,
                        pending=True,
                        timeout_seconds=(
                            hold_timeout_for(sub.number, sub.plan)
                            if hold_timeout_for
                            else item.hold_timeout_seconds
                        ),
                    )
                )
            history.append(
                (
                    row_id,
                    "submit",
                    "",
                    sub.plan.workflow.initial_state,
                    item.operator_id,
                    "",
                    "",
                    at,
                )
            )
            events.append(
                RollupEventSpec(
                    kind="application_submitted",
                    occurred_at=now,
                    centre_id=item.centre_id,
                    service_id=sub.plan.service_id,
                    weight=item.weight,
                    application_id=row_id,
                    simulated=simulated,
                )
            )
        _insert(ApplicationFee, FEE_COLUMNS, fees)
        _insert(ApplicationHistory, HISTORY_COLUMNS, history)
        _wallet_batch(holds, now)
        rollup_events_record_batch(events=events)
    return submitted


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


def applications_decide_batch(
    *, decisions: Iterable[Decision], now: dt.datetime, simulated: bool = True
) -> dict[str, int]:
    """Take each decision's workflow steps at ``now``: posts or voids, history, events.

    ``expire`` expects the wallet's sweeper (``holds_expire``) to have voided the hold
    already; the system then closes the application as failed, as a late adapter would.
    Returns how many applications ended in each outcome.
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
        workflow = sub.plan.workflow
        state = workflow.initial_state
        hold: str = HoldState.HELD if sub.lines else HoldState.NONE
        if outcome == EXPIRE:
            hold = HoldState.VOIDED if sub.lines else HoldState.NONE
        for action in workflow_path(workflow, outcome):
            if workflow.action(state, action.code) is None:
                raise BatchError(f"{workflow.code}: {action.code} not allowed from {state}")
            if Effect.POST in action.effects and hold == HoldState.HELD:
                for line in sub.lines:
                    wallet_ops.append(
                        PostSpec(
                            id=payments.transfer_id(
                                application_no=sub.number, fee_code=line.code, step="post"
                            ),
                            pending_id=payments.transfer_id(
                                application_no=sub.number, fee_code=line.code, step="hold"
                            ),
                        )
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
                        transfer_id=str(
                            payments.transfer_id(
                                application_no=sub.number, fee_code=sub.lines[0].code, step="post"
                            )
                        ),
                        simulated=simulated,
                    )
                )
            if Effect.VOID in action.effects and hold == HoldState.HELD:
                for line in sub.lines:
                    wallet_ops.append(
                        VoidSpec(
                            id=payments.transfer_id(
                                application_no=sub.number, fee_code=line.code, step="void"
                            ),
                            pending_id=payments.transfer_id(
                                application_no=sub.number, fee_code=line.code, step="hold"
                            ),
                        )
                    )
                hold = HoldState.VOIDED
            if Effect.DELIVER in action.effects:
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
                (
                    sub.id,
                    action.code,
                    state,
                    action.to_state,
                    None,
                    "system" if SYSTEM in action.roles else "simulator",
                    "",
                    at,
                )
            )
            state = action.to_state
        groups[(state, hold)].append(sub.id)
        counts[outcome] += 1
    with transaction.atomic():
        _wallet_batch(wallet_ops, now)
        for (final_state, final_hold), ids in groups.items():
            for start in range(0, len(ids), 5_000):
                Application.objects.filter(pk__in=ids[start : start + 5_000]).update(
                    status=final_state,
                    hold=final_hold,
                    is_open=False,
                    closed_at=now,
                    state_entered_at=now,
                    state_due_date=None,
                )
        _insert(ApplicationHistory, HISTORY_COLUMNS, history)
        rollup_events_record_batch(events=events)
    return dict(counts)
