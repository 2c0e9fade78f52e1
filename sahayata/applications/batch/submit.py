"""Submissions in bulk: numbers, applications, fee lines, holds, history, events and
adapter calls, as ``applications.plans.submission_plan`` says for each."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sahayata.applications import payments, plans
from sahayata.applications.batch.items import BatchError, NewApplication, ServicePlan, Submitted
from sahayata.applications.batch.writes import HISTORY_COLUMNS, rollups_write, wallet_batch
from sahayata.applications.models import Application, ApplicationFee, ApplicationHistory
from sahayata.applications.numbering import numbers_take
from sahayata.applications.rules import (
    application_number_format,
    financial_year_code,
)
from sahayata.audit.services import Actor, EventSpec, events_record_batch
from sahayata.catalogue.models import Department
from sahayata.core import dialect
from sahayata.core.ids import uuid7
from sahayata.core.money import MAX_AMOUNT_PAISE
from sahayata.integrations.adapters import adapter_get
from sahayata.integrations.models import AdapterCall
from sahayata.ledgerlog.salts import log_salt_new
from sahayata.people.models import User
from sahayata.transparency.services import RollupEventSpec


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
    "log_salt",
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
        self.audit: list[EventSpec] = []
        self.operators: dict[int, Actor] = {}
        self.holds: list[Any] = []
        self.events: list[RollupEventSpec] = []
        self.calls: list[tuple[Any, ...]] = []
        self.payees = _Payees()
        self._json: dict[int, str] = {}
        self._deadlines: dict[str, Any] = {}
        self._quoted: dict[str, str] = {}  # json.dumps of service and centre codes
        self._native_uuid = connection.features.has_native_uuid_field

    def fields_json(self, item: NewApplication, form: Mapping[str, Any]) -> str:
        if item.plan.amount_field:
            return json.dumps(form)
        if item.plan.service_id not in self._json:
            self._json[item.plan.service_id] = json.dumps(form)
        return self._json[item.plan.service_id]

    def call_id(self) -> Any:
        # dialect.uuid_value, with the connection's answer read once per batch.
        made = uuid7()
        return made if self._native_uuid else made.hex

    def quoted(self, code: str) -> str:
        if code not in self._quoted:
            self._quoted[code] = json.dumps(code)
        return self._quoted[code]

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
                log_salt_new(),
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
        self.audit.append(
            plans.step_audit(
                entry,
                number=number,
                actor=self.operators.get(item.operator_id),
                at=self.now,
                fee_paise=plan.fee_paise,
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
            self.calls.append(self.call_row(number, item, plan, form_json))

    def call_row(
        self, number: str, item: NewApplication, plan: plans.SubmissionPlan, form_json: str
    ) -> tuple[Any, ...]:
        """The adapter call recorded with the submission (pending, as the counter's)."""
        terms = plan.terms
        # plans.adapter_call_payload, with the fields' JSON already made for the row.
        payload = (
            f'{{"service_code": {self.quoted(terms.code)}, "fields": {form_json}, '
            f'"centre_code": {self.quoted(item.centre_code)}}}'
        )
        return (
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


def _operators(ids: set[int]) -> dict[int, Actor]:
    """The submitting operators as their audit events name them (one query a batch)."""
    found = User.objects.filter(pk__in=ids).values_list("pk", "username", "role")
    return {pk: Actor(pk, username, role) for pk, username, role in found}


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
        ids = dialect.ids_reserve(Application, len(items))
        rows = _SubmitRows(now, simulated)
        rows.operators = _operators({item.operator_id for item in items})
        submitted: list[Submitted] = []
        for row_id, item, number in zip(ids, items, numbers, strict=True):
            service = item.plan
            if service.amount_field and not 1 <= item.amount_paise <= MAX_AMOUNT_PAISE:
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
        dialect.rows_insert(Application, rows.shared.columns, rows.applications)
        dialect.rows_insert(ApplicationFee, FEE_COLUMNS, rows.fees)
        dialect.rows_insert(ApplicationHistory, HISTORY_COLUMNS, rows.history)
        events_record_batch(events=rows.audit)
        if rows.calls:
            dialect.rows_insert(AdapterCall, ADAPTER_CALL_COLUMNS, rows.calls)
        wallet_batch(rows.holds, now)
        rollups_write(rows.events, rollup_sink)
    return submitted
