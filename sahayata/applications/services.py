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

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sahayata.applications import events, notices, payments
from sahayata.applications.documents import (
    Upload,
    document_discard,
    document_store,
    upload_check,
    upload_problem,
)
from sahayata.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationFee,
    ApplicationHistory,
    HoldState,
    NumberCounter,
)
from sahayata.applications.rules import (
    FeeHeadSpec,
    add_working_days,
    application_number_format,
    due_date,
    fee_lines,
    field_spec,
    fields_clean,
    financial_year_code,
)
from sahayata.applications.selectors import application_visible_to, holidays_between
from sahayata.applications.workflows import (
    SYSTEM,
    Action,
    Effect,
    Workflow,
    workflow_get,
)
from sahayata.catalogue.models import Service
from sahayata.catalogue.selectors import service_current_version
from sahayata.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from sahayata.people.models import Citizen, Role, User
from sahayata.people.roles import require_role
from sahayata.people.rules import normalise_mobile
from sahayata.people.services import citizen_register
from sahayata.places.models import Centre


class ApplicationNotFound(NotFound):
    """Unknown, or not visible to this user: the two are never told apart."""

    code = "not_found"
    default_message = _("No such application.")


class InvalidFields(InvalidInput):
    code = "invalid_fields"
    default_message = _("Some form fields are missing or not valid.")


class InvalidDocument(InvalidInput):
    code = "invalid_document"
    default_message = _("A document is missing, too large (over 2 MB) or not a PDF, JPEG or PNG.")


class ServiceUnavailable(Conflict):
    code = "service_unavailable"
    default_message = _("This service is not available now.")


class ActionNotAllowed(Conflict):
    code = "action_not_allowed"
    default_message = _("This action is not possible in the application's current state.")


class ActionForbidden(PermissionDenied):
    code = "forbidden"
    default_message = _("Your role may not take this action.")


class CommentRequired(InvalidInput):
    code = "comment_required"
    default_message = _("Give a reason in the comment for this action.")


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now()).date()


# --- Numbering --------------------------------------------------------------------------


def application_number_next(*, centre: Centre, on: dt.date) -> str:
    """Take the next number of ``centre`` for the financial year of ``on``.

    Must run inside the submitting transaction: the counter row stays locked until the
    application commits, and rolls back with it, so numbers are unique and gap-free.
    """
    fy_code = financial_year_code(on)
    counter = (
        NumberCounter.objects.select_for_update()
        .filter(centre=centre, financial_year=fy_code)
        .first()
    )
    if counter is None:
        # First number of the year: create the row (a concurrent creator makes us wait on
        # the unique index, then get_or_create finds its row), and lock it.
        NumberCounter.objects.get_or_create(centre=centre, financial_year=fy_code)
        counter = NumberCounter.objects.select_for_update().get(
            centre=centre, financial_year=fy_code
        )
    # The row is locked until our transaction ends, so incrementing here is safe.
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return application_number_format(
        centre_code=centre.code, fy_code=fy_code, sequence=counter.last_value
    )


# --- Submission -------------------------------------------------------------------------


def _definition_heads(definition: Mapping[str, Any]) -> list[FeeHeadSpec]:
    return [
        FeeHeadSpec(
            code=head["code"],
            name_en=head["name_en"],
            name_bn=head["name_bn"],
            payee=head["payee"],
            amount_paise=int(head.get("amount_paise") or 0),
            amount_from_field=head.get("amount_from_field") or "",
        )
        for head in definition.get("fee_heads", [])
    ]


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


def _documents_check(
    definition: Mapping[str, Any], uploads: Sequence[Upload], *, require_mandatory: bool
) -> None:
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


def _adapter_code(service: Service, workflow: Workflow) -> str:
    if any(state.dispatch for state in workflow.states):
        return service.adapter_code or workflow.default_adapter
    return ""


def _state_due(workflow: Workflow, state: str, today: dt.date) -> dt.date | None:
    limit = workflow.state(state).time_limit_days
    if limit is None:
        return None
    return add_working_days(today, limit, holidays_between(today, limit))


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
    _documents_check(definition, documents, require_mandatory=require_documents)
    checked_uploads = [upload_check(upload) for upload in documents]
    lines = fee_lines(_definition_heads(definition), clean)
    workflow = workflow_get(definition.get("workflow_code") or service.workflow_code)
    now = now or timezone.now()
    today = local_today(now)
    limit = int(definition.get("time_limit_days") or service.time_limit_days)
    due = due_date(today, limit, holidays_between(today, limit))
    stored: list[str] = []  # staged document files, deleted if this transaction fails
    try:
        with transaction.atomic():
            number = application_number_next(centre=centre, on=today)
            fee_total = sum(line.amount_paise for line in lines)
            application = Application.objects.create(
                number=number,
                centre=centre,
                service=service,
                service_version=version.version,
                department_id=service.department_id,
                citizen=citizen,
                submitted_by=operator,
                fields=clean,
                contact_email=contact_email,
                workflow_code=workflow.code,
                workflow_version=workflow.version,
                status=workflow.initial_state,
                fee_paise=fee_total,
                hold=HoldState.HELD if fee_total else HoldState.NONE,
                adapter_code=_adapter_code(service, workflow),
                submitted_at=now,
                submitted_on=today,
                due_date=due,
                state_entered_at=now,
                state_due_date=_state_due(workflow, workflow.initial_state, today),
                client_token=client_token or None,
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
                    for position, line in enumerate(lines)
                ]
            )
            if fees:
                payments.holds_place(application=application, fees=fees)
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
            _history(application, "submit", "", workflow.initial_state, actor=operator, at=now)
            events.event_submitted(application=application)
            notices.notice_submitted(application=application)
            if workflow.state(workflow.initial_state).dispatch:
                _dispatch_record(application)
    except Exception as exc:
        for name in stored:
            document_discard(name)
        # A concurrent retry with the same token committed first: answer with its result.
        if isinstance(exc, IntegrityError) and client_token:
            existing = Application.objects.filter(client_token=client_token).first()
            if existing is not None:
                return _replayed(existing, operator)
        raise
    return application


def _replayed(application: Application, operator: User) -> Application:
    if application.submitted_by_id != operator.pk:
        raise Conflict(code="token_reused", message=_("This form was already used."))
    return application


def _dispatch_record(application: Application) -> None:
    """Record the adapter call in this transaction; make it after commit."""
    from sahayata.applications.dispatch import application_dispatch
    from sahayata.integrations.services import adapter_call_record

    adapter_call_record(
        adapter_code=application.adapter_code,
        reference=application.number,
        amount_paise=application.fee_paise,
        payload={
            "service_code": application.service.code,
            "fields": application.fields,
            "centre_code": application.centre.code,
        },
    )
    number = application.number
    transaction.on_commit(lambda: application_dispatch(application_no=number))


# --- Transitions ------------------------------------------------------------------------


def _history(
    application: Application,
    action: str,
    from_state: str,
    to_state: str,
    *,
    actor: User | None = None,
    actor_label: str = "",
    comment: str = "",
    at: dt.datetime | None = None,
) -> ApplicationHistory:
    return ApplicationHistory.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        actor_label=actor_label,
        comment=comment,
        at=at or timezone.now(),
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
    return workflow.allowed_actions(application.status, role)


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
    if not application_visible_to(actor, application):
        raise ApplicationNotFound()
    role = actor_role_for(actor, application)
    comment = (comment or "").strip()
    with transaction.atomic():
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
        if fields is not None:
            if action != "resubmit":
                raise InvalidFields(details={"fields": [{"field": "*", "problem": "read_only"}]})
            _fields_correct(locked, fields, from_form=from_form)
        return _transition(locked, workflow, step, actor=actor, comment=comment)


def _fields_correct(
    application: Application, fields: Mapping[str, Any], *, from_form: bool
) -> None:
    from sahayata.catalogue.models import ServiceVersion

    definition = ServiceVersion.objects.get(
        service_id=application.service_id, version=application.service_version
    ).definition
    clean = application_fields_check(definition=definition, fields=fields, from_form=from_form)
    if sum(line.amount_paise for line in fee_lines(_definition_heads(definition), clean)) != (
        application.fee_paise
    ):
        raise InvalidFields(details={"fields": [{"field": "*", "problem": "fee_changed"}]})
    application.fields = clean
    application.save(update_fields=["fields"])


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
    from_state = application.status
    to_state = step.to_state
    if Effect.POST in step.effects and application.hold == HoldState.HELD:
        post_ids = payments.holds_post(application=application)
        application.hold = HoldState.POSTED
        events.event_payment_posted(application=application, at=now, transfer_id=post_ids[0])
    if Effect.VOID in step.effects and application.hold == HoldState.HELD:
        payments.holds_void(application=application)
        application.hold = HoldState.VOIDED
    application.status = to_state
    application.state_entered_at = now
    application.state_due_date = _state_due(workflow, to_state, today)
    if workflow.is_terminal(to_state):
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
    _history(
        application,
        step.code,
        from_state,
        to_state,
        actor=actor,
        actor_label=actor_label,
        comment=comment,
        at=now,
    )
    certificate = None
    if Effect.DELIVER in step.effects:
        if application.service.issues_certificate:
            from sahayata.certificates.services import certificate_issue

            certificate = certificate_issue(application=application, at=now)
        events.event_delivered(
            application=application, at=now, on_time=today <= application.due_date
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
                "escalate",
                application.status,
                application.status,
                actor_label="rtps_escalate",
                comment=(
                    f"step due {application.state_due_date}"
                    if step_late
                    else f"due {application.due_date.isoformat()}"
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
    "application_act",
    "application_next_actions",
    "application_submit",
    "application_system_act",
    "applications_escalate_overdue",
]


# --- Citizens at the counter ------------------------------------------------------------


def citizen_find_or_register(*, name: str, mobile: str, name_bn: str = "") -> Citizen:
    """The citizen with this mobile and name (either language), or a new registration."""
    normalised = normalise_mobile(mobile) or ""
    name = (name or "").strip()
    if normalised and name:
        for citizen in Citizen.objects.filter(mobile=normalised).order_by("pk"):
            if name.casefold() in (citizen.name_en.casefold(), citizen.name_bn.casefold()):
                return citizen
    return citizen_register(name_en=name, name_bn=name_bn, mobile=mobile)
