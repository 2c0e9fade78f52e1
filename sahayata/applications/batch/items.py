"""The simulator's side of the batch path: which services it submits (with their example
form values), what it asks for (new applications, decisions) and what it gets back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sahayata.applications import plans
from sahayata.applications.rules import (
    FeeLine,
    fee_lines,
    fee_total,
    field_spec,
    fields_clean,
)
from sahayata.applications.selectors import service_terms_of
from sahayata.applications.workflows import Action, Effect, Workflow
from sahayata.catalogue.models import Service
from sahayata.catalogue.selectors import service_current_version

APPROVE, REJECT, FAIL, EXPIRE = "approve", "reject", "fail", "expire"


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
