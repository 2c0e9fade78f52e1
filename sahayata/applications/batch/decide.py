"""Decisions in bulk: each application's workflow steps, as
``applications.plans.step_plan`` says for each."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sahayata.applications import plans
from sahayata.applications.batch.items import (
    APPROVE,
    EXPIRE,
    BatchError,
    Decision,
    Submitted,
    workflow_path,
)
from sahayata.applications.batch.writes import HISTORY_COLUMNS, rollups_write, wallet_batch
from sahayata.applications.models import Application, ApplicationHistory
from sahayata.applications.workflows import Action, Workflow
from sahayata.audit.services import EventSpec, events_record_batch
from sahayata.core import dialect
from sahayata.integrations.models import AdapterCall
from sahayata.transparency.services import RollupEventSpec

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
        self.audit: list[EventSpec] = []
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
            self.audit.append(plans.step_audit(entry, number=sub.number, actor=None, at=self.now))
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
        wallet_batch(rows.wallet_ops, now)
        for (final_state, final_hold, _delivered), ids in rows.groups.items():
            dialect.rows_update(
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
        dialect.rows_insert(ApplicationHistory, HISTORY_COLUMNS, rows.history)
        events_record_batch(events=rows.audit)
        rollups_write(rows.events, rollup_sink)
    return dict(counts)
