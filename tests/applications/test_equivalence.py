"""The counter and the batch path are one rule set: the same submissions and decisions
through ``services`` (one application at a time, as at a counter) and through ``batch``
(the simulator's bulk path) leave the same rows.

Compared, ids and times aside: applications (number, state, hold, fee, fields, due dates,
workflow and service versions, adapter code, sample weight), fee lines, history, every
wallet transfer and balance, adapter calls, rollups and milestones.

What the batch path leaves out or writes differently, on purpose:
- ``NOT_WRITTEN_BY_BATCH``: notices (a simulated citizen receives no SMS) and
  certificates (a signed certificate for a person who does not exist would show as
  genuine on /verify/).
- ``HISTORY_NOT_COMPARED``: who acted and why. A simulated decision has no officer
  (``actor`` is empty, ``actor_label`` is "simulator" or "system") and no reason text;
  at the counter an officer acts and a reject carries the officer's reason, and the
  back end's answer is labelled with its adapter and reference.
- ``ADAPTER_CALL_NOT_COMPARED``: the back end's own answer (its reference, the attempts
  it took, its message): the simulated decision stands for it.
- ``APPLICATION_NOT_COMPARED``: the transparency-log salt, drawn at random per
  application by both paths; only that each path draws one (32 hex digits, all
  different) is compared.
- Expiry (a hold past its timeout) is not driven here: both paths use the wallet's own
  sweeper (``holds_expire``) and then the same system ``fail`` step, covered by
  tests/simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahayata.applications.batch import (
    APPROVE,
    FAIL,
    REJECT,
    Decision,
    NewApplication,
    applications_decide_batch,
    applications_submit_batch,
    service_plan,
    workflow_path,
)
from sahayata.applications.dispatch import application_settle
from sahayata.applications.models import Application, ApplicationFee, ApplicationHistory, Holiday
from sahayata.applications.services import (
    application_act,
    application_submit,
    application_system_act,
)
from sahayata.applications.workflows import OFFICER, SYSTEM, workflow_get
from sahayata.audit.models import AuditEvent
from sahayata.catalogue.models import FeeHead, Service
from sahayata.certificates.models import Certificate
from sahayata.integrations.models import AdapterCall
from sahayata.integrations.services import CallReport, Outcome
from sahayata.notifications.models import Notification
from sahayata.people.models import Role
from sahayata.transparency.models import Milestone, Rollup
from sahayata.transparency.services import rollups_apply_all
from sahayata.wallet.models import Account, Transfer
from tests.factories.applications import certificate_service, counter, treasury_service
from tests.factories.catalogue import (
    DepartmentFactory,
    FeeHeadFactory,
    FormFieldFactory,
    ServiceFactory,
    bill_service,
    free_service,
    paid_service,
    published,
)
from tests.factories.people import CitizenFactory, UserFactory

NOT_WRITTEN_BY_BATCH = {
    Notification: "no SMS to a simulated citizen",
    Certificate: "no real holder",
}
APPLICATION_NOT_COMPARED = {"log_salt": "random per application (ledgerlog.salts)"}
HISTORY_NOT_COMPARED = ("actor", "actor_label", "comment")
ADAPTER_CALL_NOT_COMPARED = ("external_reference", "attempts", "last_error")
ADAPTER_WORKFLOWS = {"bill_payment", "treasury_challan", "land_records"}


def _land_records_service() -> Service:
    service = ServiceFactory(
        code="eq_land_record",
        kind=Service.Kind.LAND,
        workflow_code="land_records",
        adapter_code="land_records",
        time_limit_days=7,
    )
    FormFieldFactory(service=service, name="khatian_no", example="42")
    FeeHeadFactory(service=service, code="copy", amount_paise=2_500, payee=FeeHead.Payee.TREASURY)
    return published(service)


@dataclass
class World:
    services: list[Service]
    centre: Any
    operator: Any
    wallet: Account
    citizen: Any
    officers: dict[int, list[Any]]  # department id -> [verifier, approver]


@pytest.fixture
def world(db: Any) -> World:
    services = [
        free_service(code="eq_scheme", department=DepartmentFactory(code="EQW")),
        paid_service(code="eq_mutation", department=DepartmentFactory(code="EQL")),
        certificate_service(code="eq_caste", department=DepartmentFactory(code="EQB")),
        bill_service(code="eq_bill", department=DepartmentFactory(code="EQP")),
        treasury_service(code="eq_stamp", department=DepartmentFactory(code="EQF")),
        _land_records_service(),
    ]
    at = counter(amount_paise=10**11)  # ₹100 crore: no batch is refused for want of money
    officers = {
        s.department_id: [UserFactory(role=Role.OFFICER, department=s.department) for _ in "ab"]
        for s in services
    }
    covered = {workflow_get(s.workflow_code).code for s in services}
    assert covered == {code for code, _ in _all_workflows()}, "every workflow is exercised"
    return World(services, at.centre, at.operator, at.wallet, CitizenFactory(), officers)


def _all_workflows() -> set[tuple[str, int]]:
    from sahayata.applications.workflows import REGISTRY

    return set(REGISTRY)


def _outcomes(service: Service) -> list[str | None]:
    """What may happen to an application: decided one way or another, or left open."""
    if workflow_get(service.workflow_code).code in ADAPTER_WORKFLOWS:
        return [APPROVE, FAIL, None]
    return [APPROVE, REJECT, None]


@st.composite
def _scenarios(draw: Callable[..., Any], count: int) -> list[tuple[int, int, int]]:
    """(service index, amount in paise for a bill, outcome index) per application."""
    size = draw(st.integers(1, 6))
    return [
        (
            draw(st.integers(0, count - 1)),
            # Up to ₹6 crore a bill: some runs cross the first milestone (₹1 crore).
            draw(st.one_of(st.integers(1, 10**6), st.integers(10**8, 6 * 10**9))),
            draw(st.integers(0, 2)),
        )
        for _ in range(size)
    ]


class _Rollback(Exception):
    pass


def _isolated(run: Callable[[], None]) -> dict[str, Any]:
    """Run ``run`` in a savepoint, take the snapshot, then undo everything."""
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            run()
            rollups_apply_all()
            result = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return result


def _snapshot() -> dict[str, Any]:
    numbers = dict(Application.objects.values_list("pk", "number"))
    accounts = dict(Account.objects.values_list("pk", "code"))
    salts = list(Application.objects.values_list("log_salt", flat=True))
    return {
        "log_salts_drawn": len(set(salts)) == len(salts) and all(len(salt) == 32 for salt in salts),
        "applications": sorted(
            Application.objects.values_list(
                "number",
                "service__code",
                "service_version",
                "workflow_code",
                "workflow_version",
                "status",
                "hold",
                "fee_paise",
                "fields",
                "submitted_on",
                "due_date",
                "state_due_date",
                "is_open",
                "adapter_code",
                "sample_weight",
                "escalated_at",
            ),
            key=str,
        ),
        "closed": sorted(
            Application.objects.filter(closed_at__isnull=False).values_list("number", flat=True)
        ),
        "fees": sorted(
            ApplicationFee.objects.values_list(
                "application__number",
                "code",
                "name_en",
                "name_bn",
                "payee",
                "amount_paise",
                "position",
            )
        ),
        "history": sorted(
            ApplicationHistory.objects.values_list(
                "application__number", "action", "from_state", "to_state"
            )
        ),
        # The actor and comment aside (officers at the counter, the system in the batch),
        # as in the history above.
        "audit": sorted(
            (
                (number, action, before, {k: v for k, v in after.items() if k != "comment"})
                for number, action, before, after in AuditEvent.objects.filter(
                    object_type="application"
                ).values_list("object_id", "action", "before", "after")
            ),
            key=str,
        ),
        "transfers": sorted(
            (
                str(t.id),
                t.kind,
                accounts[t.debit_account_id],
                accounts[t.credit_account_id],
                t.amount_paise,
                str(t.pending_id or ""),
                t.code,
                t.reference,
            )
            for t in Transfer.objects.all()
        ),
        # Hot accounts (treasury, payees) keep striped counters: their transfers are above.
        "balances": sorted(
            Account.objects.filter(hot=False).values_list(
                "code", "debits_posted", "credits_posted", "debits_pending", "credits_pending"
            )
        ),
        "adapter_calls": sorted(
            AdapterCall.objects.values_list(
                "adapter_code", "reference", "amount_paise", "payload", "state"
            ),
            key=str,
        ),
        "rollups": sorted(
            Rollup.objects.values_list(
                "grain",
                "period",
                "district_id",
                "department_id",
                "service_id",
                "applications",
                "services_delivered",
                "wallet_transactions",
                "paise",
                "delivered_timed",
                "delivered_on_time",
                "simulated_events",
            )
        ),
        "milestones": sorted(
            (
                m.metric,
                m.threshold,
                m.value_after,
                numbers.get(m.application_id or 0),
                m.transfer_id,
            )
            for m in Milestone.objects.all()
        ),
    }


def _through_the_counter(world: World, scenario: list[tuple[int, int, int]]) -> None:
    submitted = []
    for service_index, amount, outcome_index in scenario:
        service = world.services[service_index]
        plan = service_plan(service)
        application = application_submit(
            operator=world.operator,
            centre=world.centre,
            service=service,
            citizen=world.citizen,
            fields=plan.fields_for(amount),
        )
        submitted.append((application, _outcomes(service)[outcome_index]))
    for application, outcome in submitted:
        if outcome is None:
            continue
        workflow = workflow_get(application.workflow_code, application.workflow_version)
        verifier, approver = world.officers[application.department_id]
        for action in workflow_path(workflow, outcome):
            application.refresh_from_db()
            if SYSTEM in action.roles:
                _back_end_answers(application, action.code)
            else:
                assert OFFICER in action.roles
                application_act(
                    application=application,
                    action=action.code,
                    actor=verifier if action.code == "verify" else approver,
                    comment="Documents do not match" if action.comment_required else "",
                )


def _back_end_answers(application: Application, action: str) -> None:
    """The dispatcher's settling of a recorded adapter call, as after the back end's reply."""
    call = AdapterCall.objects.filter(reference=application.number).first()
    if call is None:
        application_system_act(application=application, action=action, label="system")
        return
    outcome = Outcome.CONFIRMED if action == "confirm" else Outcome.FAILED
    assert application_settle(call=call, report=CallReport(outcome, "EXT-1"))


def _through_the_batch(world: World, scenario: list[tuple[int, int, int]]) -> None:
    now = timezone.now()
    holidays = set(Holiday.objects.values_list("date", flat=True))
    items, outcomes = [], []
    for service_index, amount, outcome_index in scenario:
        service = world.services[service_index]
        plan = service_plan(service)
        items.append(
            NewApplication(
                plan=plan,
                centre_id=world.centre.pk,
                centre_code=world.centre.code,
                operator_id=world.operator.pk,
                citizen_id=world.citizen.pk,
                amount_paise=amount if plan.amount_field else 0,
            )
        )
        outcomes.append(_outcomes(service)[outcome_index])
    subs = applications_submit_batch(
        items=items,
        now=now,
        holidays=holidays,
        wallet_of={world.centre.pk: world.wallet.pk},
        simulated=False,
    )
    decisions = [
        Decision(sub, outcome) for sub, outcome in zip(subs, outcomes, strict=True) if outcome
    ]
    applications_decide_batch(decisions=decisions, now=timezone.now(), simulated=False)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_counter_and_batch_leave_the_same_rows(world: World, data: st.DataObject) -> None:
    scenario = data.draw(_scenarios(len(world.services)))
    counter_rows = _isolated(lambda: _through_the_counter(world, scenario))
    batch_rows = _isolated(lambda: _through_the_batch(world, scenario))
    assert counter_rows["applications"], "the scenario submitted something"
    for key in counter_rows:
        assert batch_rows[key] == counter_rows[key], key


def test_every_outcome_of_every_workflow_at_once(world: World) -> None:
    """One of each: every service, every outcome (and left open), side by side."""
    scenario = [
        (index, 165_000, outcome) for index in range(len(world.services)) for outcome in range(3)
    ]
    counter_rows = _isolated(lambda: _through_the_counter(world, scenario))
    batch_rows = _isolated(lambda: _through_the_batch(world, scenario))
    assert {row[5] for row in counter_rows["applications"]} >= {
        "approved",
        "rejected",
        "delivered",
        "failed",
    }
    assert counter_rows["adapter_calls"] and counter_rows["transfers"]
    for key in counter_rows:
        assert batch_rows[key] == counter_rows[key], key


def test_what_the_batch_leaves_out_is_only_what_is_named(world: World) -> None:
    """The counter writes notices and certificates; the batch path writes none, and
    nothing else is missing from it (every other table compared above)."""
    scenario = [(2, 0, 0), (0, 0, 0)]  # a certificate approved, a scheme approved
    written: dict[str, dict[Any, int]] = {}

    def counting(run: Callable[[], None], name: str) -> Callable[[], None]:
        def wrapped() -> None:
            run()
            written[name] = {model: model.objects.count() for model in NOT_WRITTEN_BY_BATCH}

        return wrapped

    _isolated(counting(lambda: _through_the_counter(world, scenario), "counter"))
    _isolated(counting(lambda: _through_the_batch(world, scenario), "batch"))
    assert all(written["counter"][model] > 0 for model in NOT_WRITTEN_BY_BATCH)
    assert all(written["batch"][model] == 0 for model in NOT_WRITTEN_BY_BATCH)
