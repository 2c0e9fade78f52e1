"""Writes of applications: submit at the counter, act on it through its workflow.

``application_submit`` is one atomic step: the number, the application, its fee lines,
the wallet holds, the adapter-call record, the notification and the rollup event commit
together or not at all. ``application_act`` is every transition, by a user or by the
system; it writes a history row and moves the money that the action's effects name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sahayata.applications import events, notices, payments, plans
from sahayata.applications.documents import (
    Upload,
    document_discard,
    document_store,
    upload_check,
    upload_problem,
)
from sahayata.applications.errors import (
    ActionForbidden,
    ActionNotAllowed,
    ApplicationNotFound,
    CommentRequired,
    InvalidDocument,
    InvalidFields,
    SameOfficer,
    ServiceUnavailable,
)
from sahayata.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationFee,
    ApplicationHistory,
)
from sahayata.applications.numbering import application_number_next
from sahayata.applications.rules import FeeLine, fee_lines, fee_total, field_spec, fields_clean
from sahayata.applications.selectors import (
    holidays_between,
    service_terms_of,
)
from sahayata.applications.workflows import SYSTEM, Action, Workflow, workflow_get
from sahayata.audit.services import events_record_batch
from sahayata.catalogue.models import Service, ServiceVersion
from sahayata.catalogue.selectors import service_current_version
from sahayata.core import savepoints
from sahayata.core.errors import Conflict, DomainError, NotFound
from sahayata.core.retry import retried_on_contention
from sahayata.core.savepoints import atomic_step
from sahayata.core.text import name_clean
from sahayata.ledgerlog.salts import log_salt_new
from sahayata.people import policy
from sahayata.people.models import Citizen, Role, User
from sahayata.people.roles import require_role
from sahayata.people.rules import normalise_aadhaar, normalise_mobile
from sahayata.people.services import InvalidAadhaar, aadhaar_hash, citizen_register
from sahayata.places.models import Centre


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now()).date()


# --- Submission -------------------------------------------------------------------------


def application_fields_check(
    *, definition: Mapping[str, Any], fields: Mapping[str, Any], from_form: bool = False
) -> dict[str, Any]:
    specs = [field_spec(item) for item in definition.get("form_fields", [])]
    clean, problems = fields_clean(specs, fields, from_form=from_form)
    if problems:
        raise InvalidFields(
            details={"fields": [{"field": p.field, "problem": p.problem} for p in problems]}
        )
    return clean


def application_documents_check(
    definition: Mapping[str, Any], uploads: Sequence[Upload], *, require_mandatory: bool
) -> None:
    """Every problem of the documents at once (InvalidDocument), beside the fields'."""
    known = {doc["code"]: doc for doc in definition.get("documents", [])}
    problems = []
    for upload in uploads:
        if upload.code not in known:
            problems.append({"document": upload.code, "problem": "unknown_document"})
            continue
        problem = upload_problem(upload)
        if problem:
            problems.append({"document": upload.code, "problem": problem})
    if require_mandatory:
        given = {upload.code for upload in uploads}
        for code, doc in known.items():
            if doc.get("mandatory") and code not in given:
                problems.append({"document": code, "problem": "required"})
    if problems:
        raise InvalidDocument(details={"documents": problems})


# --- The counter's confirmation step: what a submission would hold, without writing ---


def application_preview(
    *,
    definition: Mapping[str, Any],
    fields: Mapping[str, Any],
    documents: Sequence[Upload] = (),
    from_form: bool = False,
    require_documents: bool = False,
) -> tuple[dict[str, Any], list[FeeLine]]:
    """The clean fields and the fee lines ``application_submit`` would hold for these
    inputs, checked the same way (InvalidFields, InvalidDocument); nothing is written."""
    clean = application_fields_check(definition=definition, fields=fields, from_form=from_form)
    application_documents_check(definition, documents, require_mandatory=require_documents)
    return clean, fee_lines(plans.definition_heads(definition), clean)


@retried_on_contention
def application_submit(
    *,
    operator: User,
    centre: Centre,
    service: Service,
    citizen: Citizen,
    fields: Mapping[str, Any],
    documents: Sequence[Upload] = (),
    contact_email: str = "",
    client_token: str | None = None,
    from_form: bool = False,
    require_documents: bool = False,
    now: dt.datetime | None = None,
) -> Application:
    """Submit an application for ``citizen`` at ``centre``, holding its fee in the wallet.

    The fee is computed from the service's *published* version. When the wallet cannot
    hold it, ``insufficient_funds`` is raised and nothing is created, not even a number.
    ``client_token`` (a form token or an idempotency key) makes a retry return the first
    application instead of creating a second.
    """
    require_role(operator, Role.OPERATOR)
    if operator.centre_id != centre.pk:
        raise NotFound()  # another centre's operator learns nothing about this one
    if client_token:
        existing = Application.objects.filter(client_token=client_token).first()
        if existing is not None:
            return _replayed(existing, operator)
    if not service.is_active or not centre.is_active:
        raise ServiceUnavailable()
    version = service_current_version(service)
    definition = version.definition
    clean = application_fields_check(definition=definition, fields=fields, from_form=from_form)
    application_documents_check(definition, documents, require_mandatory=require_documents)
    checked_uploads = [upload_check(upload) for upload in documents]
    terms = service_terms_of(service, version)
    now = now or timezone.now()
    today = local_today(now)
    calendar = plans.Calendar(holidays_between(today, terms.horizon_days))
    plan = plans.submission_plan(terms, clean, today=today, calendar=calendar)
    stored: list[str] = []  # staged document files, deleted if this transaction fails
    try:
        with atomic_step():  # no savepoint inside the API's own (refusals_undone_here)
            application = _submission_write(
                plan,
                operator=operator,
                centre=centre,
                service=service,
                citizen=citizen,
                contact_email=contact_email,
                client_token=client_token,
                now=now,
            )
            for checked in checked_uploads:
                stored.append(document_store(checked))
                ApplicationDocument.objects.create(
                    application=application,
                    code=checked.code,
                    original_name=checked.name,
                    content_type=checked.content_type,
                    size=len(checked.content),
                    sha256=checked.sha256,
                    storage_name=stored[-1],
                )
            notices.notice_submitted(application=application)
            if plan.dispatch:
                _dispatch_record(application)
    except Exception as exc:
        for name in stored:
            document_discard(name)
        # A concurrent retry with the same token committed first: answer with its result.
        # (Not when the block took no savepoint: the transaction is then for the enclosing
        # savepoint to roll back, and nothing may be read in it.)
        if isinstance(exc, IntegrityError) and client_token and not savepoints.covered():
            existing = Application.objects.filter(client_token=client_token).first()
            if existing is not None:
                return _replayed(existing, operator)
        raise
    return application


def _submission_write(
    plan: plans.SubmissionPlan,
    *,
    operator: User,
    centre: Centre,
    service: Service,
    citizen: Citizen,
    contact_email: str,
    client_token: str | None,
    now: dt.datetime,
) -> Application:
    """Write what ``plan`` says: number, application, fee lines, holds, history, event.
    Runs inside the submitting transaction."""
    terms, workflow = plan.terms, plan.terms.workflow
    number = application_number_next(
        centre_id=centre.pk, centre_code=centre.code, on=plan.submitted_on
    )
    application = Application.objects.create(
        number=number,
        centre=centre,
        service=service,
        service_version=terms.version,
        department=service.department,  # loaded with the service: the hold's payee needs it
        citizen=citizen,
        submitted_by=operator,
        fields=dict(plan.fields),
        contact_email=contact_email,
        workflow_code=workflow.code,
        workflow_version=workflow.version,
        status=plan.status,
        fee_paise=plan.fee_paise,
        hold=plan.hold,
        adapter_code=terms.adapter_code,
        submitted_at=now,
        submitted_on=plan.submitted_on,
        due_date=plan.due_date,
        state_entered_at=now,
        state_due_date=plan.state_due_date,
        client_token=client_token or None,
        log_salt=log_salt_new(),
    )
    fees = ApplicationFee.objects.bulk_create(
        [
            ApplicationFee(
                application=application,
                code=line.code,
                name_en=line.name_en,
                name_bn=line.name_bn,
                payee=line.payee,
                amount_paise=line.amount_paise,
                position=position,
            )
            for position, line in enumerate(plan.lines)
        ]
    )
    if fees:
        payments.holds_place(application=application, plan=plan)
    _history(application, plan.history, actor=operator, at=now)
    events.events_record(
        [plans.submitted_event(plan, application_id=application.pk, centre_id=centre.pk, at=now)]
    )
    return application


def _replayed(application: Application, operator: User) -> Application:
    if application.submitted_by_id != operator.pk:
        raise Conflict(code="token_reused", message=_("This form was already used."))
    return application


def _dispatch_record(application: Application) -> None:
    """Record the adapter call in this transaction; the worker makes it (``run_jobs``'
    relay queues ``adapter_calls_dispatch``), or, with ``SAHAYATA_DISPATCH_ON_COMMIT`` (a
    development convenience), this request after commit."""
    from sahayata.applications.dispatch import application_dispatch
    from sahayata.integrations.services import adapter_call_record

    adapter_call_record(
        adapter_code=application.adapter_code,
        reference=application.number,
        amount_paise=application.fee_paise,
        payload=plans.adapter_call_payload(
            service_code=application.service.code,
            fields=application.fields,
            centre_code=application.centre.code,
        ),
    )
    if settings.SAHAYATA_DISPATCH_ON_COMMIT:
        number = application.number
        transaction.on_commit(lambda: application_dispatch(application_no=number))


# --- Transitions ------------------------------------------------------------------------


def _history(
    application: Application,
    entry: plans.HistoryEntry,
    *,
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> ApplicationHistory:
    """The step's history row and its audit event (every workflow step passes here)."""
    at = at or timezone.now()
    fee = application.fee_paise if entry.action == "submit" else None
    events_record_batch(
        events=[
            plans.step_audit(entry, number=application.number, actor=actor, at=at, fee_paise=fee)
        ]
    )
    return ApplicationHistory.objects.create(
        application=application,
        action=entry.action,
        from_state=entry.from_state,
        to_state=entry.to_state,
        actor=actor,
        actor_label=entry.actor_label,
        comment=entry.comment,
        at=at,
    )


def actor_role_for(user: User, application: Application) -> str | None:
    """The workflow role ``user`` plays on ``application``, or None if it plays none."""
    if not user.is_active:
        return None
    if user.role == Role.OFFICER and user.department_id == application.department_id:
        return Role.OFFICER
    if user.role in (Role.OPERATOR, Role.SUPERVISOR) and user.centre_id == application.centre_id:
        return str(user.role)
    return None


def application_next_actions(*, application: Application, user: User) -> list[Action]:
    role = actor_role_for(user, application)
    if role is None:
        return []
    workflow = workflow_get(application.workflow_code, application.workflow_version)
    return [
        step
        for step in workflow.allowed_actions(application.status, role)
        if not action_barred_for(application=application, step=step, actor=user)
    ]


@retried_on_contention
def application_act(
    *,
    application: Application,
    action: str,
    actor: User,
    comment: str = "",
    fields: Mapping[str, Any] | None = None,
    from_form: bool = False,
) -> Application:
    """Take ``action`` on ``application`` as ``actor`` (an officer or the centre's staff).

    ``fields`` may carry corrected form values with a ``resubmit``; the fee may not change.
    """
    # people.policy: a role with no step anywhere is refused; outside its reach, not found.
    policy.require(actor, "application.act")
    reach = policy.scope(actor, "application.act")
    if not reach.covers(
        centre_id=application.centre_id,
        district_id=application.centre.district_id if reach.district_id is not None else None,
        department_id=application.department_id,
    ):
        raise ApplicationNotFound()
    role = actor_role_for(actor, application)
    comment = (comment or "").strip()
    with atomic_step():  # no savepoint inside the API's own (refusals_undone_here)
        locked = Application.objects.select_for_update().get(pk=application.pk)
        workflow = workflow_get(locked.workflow_code, locked.workflow_version)
        step = workflow.action(locked.status, action)
        if step is None:
            raise ActionNotAllowed(
                details={
                    "status": locked.status,
                    "action": action,
                    "allowed": [a.code for a in workflow.actions_from(locked.status)],
                }
            )
        if role is None or role not in step.roles:
            raise ActionForbidden(details={"action": action})
        if step.comment_required and not comment:
            raise CommentRequired()
        _four_eyes_check(locked, step, actor)
        if fields is not None:
            if action != "resubmit":
                raise InvalidFields(details={"fields": [{"field": "*", "problem": "read_only"}]})
            _fields_correct(locked, fields, from_form=from_form)
        return _transition(locked, workflow, step, actor=actor, comment=comment)


def action_barred_for(*, application: Application, step: Action, actor: User) -> bool:
    """The workflow's separation of duties: ``step`` may not be taken by whoever took one
    of its ``not_by_actor_of`` actions on this application (the verifier never approves)."""
    if not step.not_by_actor_of:
        return False
    return application.history.filter(action__in=step.not_by_actor_of, actor=actor).exists()


def _four_eyes_check(application: Application, step: Action, actor: User) -> None:
    if action_barred_for(application=application, step=step, actor=actor):
        raise SameOfficer(details={"action": step.code, "earlier": list(step.not_by_actor_of)})


def _fields_correct(
    application: Application, fields: Mapping[str, Any], *, from_form: bool
) -> None:
    definition = ServiceVersion.objects.get(
        service_id=application.service_id, version=application.service_version
    ).definition
    clean = application_fields_check(definition=definition, fields=fields, from_form=from_form)
    if fee_total(fee_lines(plans.definition_heads(definition), clean)) != application.fee_paise:
        raise InvalidFields(details={"fields": [{"field": "*", "problem": "fee_changed"}]})
    application.fields = clean
    application.save(update_fields=["fields"])


@retried_on_contention
def application_system_act(
    *, application: Application, action: str, label: str, comment: str = ""
) -> Application:
    """A transition taken by the system (adapter outcome, reconciliation). Locks the row."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        workflow = workflow_get(locked.workflow_code, locked.workflow_version)
        step = workflow.action(locked.status, action)
        if step is None or SYSTEM not in step.roles:
            raise ActionNotAllowed(details={"status": locked.status, "action": action})
        return _transition(locked, workflow, step, actor=None, actor_label=label, comment=comment)


def _transition(
    application: Application,
    workflow: Workflow,
    step: Action,
    *,
    actor: User | None,
    actor_label: str = "",
    comment: str = "",
) -> Application:
    """Apply one workflow step to a locked application. Runs inside the caller's atomic."""
    now = timezone.now()
    today = local_today(now)
    limit = workflow.state(step.to_state).time_limit_days
    calendar = plans.Calendar(holidays_between(today, limit) if limit is not None else set())
    plan = plans.step_plan(
        workflow,
        step,
        status=application.status,
        hold=application.hold,
        today=today,
        calendar=calendar,
        due=application.due_date,
        issues_certificate=application.service.issues_certificate,
        actor_label=actor_label,
        comment=comment,
    )
    post_ids = payments.holds_post(application=application) if plan.posts else []
    if plan.voids:
        payments.holds_void(application=application)
    application.hold = plan.hold
    application.status = plan.to_state
    application.state_entered_at = now
    application.state_due_date = plan.state_due_date
    if plan.closes:
        application.is_open = False
        application.closed_at = now
    application.save(
        update_fields=[
            "status",
            "hold",
            "state_entered_at",
            "state_due_date",
            "is_open",
            "closed_at",
        ]
    )
    _history(application, plan.history, actor=actor, at=now)
    certificate = None
    if plan.certifies:
        from sahayata.certificates.services import certificate_issue

        certificate = certificate_issue(application=application, at=now, actor=actor)
    events.events_record(
        plans.step_events(
            plan,
            application_id=application.pk,
            centre_id=application.centre_id,
            service_id=application.service_id,
            fee_paise=application.fee_paise,
            posted_transfer_id=post_ids[0] if post_ids else None,
            at=now,
        )
    )
    notices.notice_transition(
        application=application, action=step.code, comment=comment, certificate=certificate
    )
    return application


# --- RTPS escalation --------------------------------------------------------------------


def applications_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Flag open applications past their RTPS due date or their step's time limit (once
    each). Returns how many."""
    today = today or local_today()
    flagged = 0
    # Past the whole application's RTPS limit, or past the limit of the step it is in.
    late = Q(due_date__lt=today) | Q(state_due_date__lt=today)
    candidates = (
        Application.objects.filter(late, is_open=True, escalated_at__isnull=True)
        .order_by("due_date", "pk")
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update()
                .filter(pk=pk, is_open=True, escalated_at__isnull=True)
                .first()
            )
            if application is None:
                continue
            now = timezone.now()
            application.escalated_at = now
            application.save(update_fields=["escalated_at"])
            step_late = application.state_due_date is not None and (
                application.state_due_date < today <= application.due_date
            )
            _history(
                application,
                plans.HistoryEntry(
                    "escalate",
                    application.status,
                    application.status,
                    actor_label="rtps_escalate",
                    comment=(
                        f"step due {application.state_due_date}"
                        if step_late
                        else f"due {application.due_date.isoformat()}"
                    ),
                ),
                at=now,
            )
            notices.notice_overdue(application=application)
            flagged += 1
    return flagged


__all__ = [
    "ActionForbidden",
    "ActionNotAllowed",
    "ApplicationNotFound",
    "CommentRequired",
    "DomainError",
    "InvalidDocument",
    "InvalidFields",
    "SameOfficer",
    "ServiceUnavailable",
    "application_act",
    "application_next_actions",
    "application_submit",
    "application_system_act",
    "applications_escalate_overdue",
]


# --- Citizens at the counter ------------------------------------------------------------


def citizen_find_or_register(
    *, name: str, mobile: str, name_bn: str = "", aadhaar: str = "", actor: User | None = None
) -> Citizen:
    """The citizen with this Aadhaar number, else with this mobile and name (either
    language), or a new registration. An Aadhaar number given must be valid: it is refused
    (``invalid_aadhaar``), never dropped."""
    if aadhaar.strip():
        digits = normalise_aadhaar(aadhaar)
        if digits is None:
            raise InvalidAadhaar(details={"field": "citizen.aadhaar"})
        holder = Citizen.objects.filter(aadhaar_hmac=aadhaar_hash(digits)).first()
        if holder is not None:
            return holder
        return citizen_register(
            name_en=name, name_bn=name_bn, mobile=mobile, aadhaar=digits, actor=actor
        )
    normalised = normalise_mobile(mobile) or ""
    name = (name or "").strip()
    if normalised and name:
        wanted = name_clean(name).casefold()  # as citizen_register would store it
        for citizen in Citizen.objects.filter(mobile=normalised).order_by("pk"):
            if wanted in (citizen.name_en.casefold(), citizen.name_bn.casefold()):
                return citizen
    return citizen_register(name_en=name, name_bn=name_bn, mobile=mobile, actor=actor)
