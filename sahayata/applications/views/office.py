"""The office: an application's page (history, actions, documents), acknowledgement,
officer inbox and the per-department RTPS report."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sahayata.applications.documents import document_path
from sahayata.applications.models import Application, ApplicationDocument
from sahayata.applications.selectors import (
    DUE_FILTERS,
    QueueFilter,
    application_field_rows,
    application_get_for,
    mark_overdue,
    officer_queue,
    officer_queue_choices,
    officer_queue_counts,
    rtps_report,
)
from sahayata.applications.services import (
    action_barred_for,
    application_act,
    application_next_actions,
    local_today,
)
from sahayata.applications.views.common import error_page, not_found, qr_svg, staff_page
from sahayata.applications.workflows import state_label, workflow_get
from sahayata.catalogue.models import FeeHead, RequiredDocument
from sahayata.core.errors import DomainError
from sahayata.ledgerlog.selectors import receipt_log_url
from sahayata.people import policy
from sahayata.people.models import Role, User
from sahayata.people.roles import staff_user


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)


def tracking_url(request: HttpRequest, number: str) -> str:
    return request.build_absolute_uri(reverse("applications:track")) + f"?application_no={number}"


def _system_actor(label: str) -> str:
    """Who acted when no person did, in words: never a command's or an adapter's code."""
    if not label:
        return ""
    words = {
        "simulator": _("The network simulator"),
        "rtps_escalate": _("The RTPS time-limit check"),
        "system": _("The system"),
    }
    return str(words.get(label, _("The department's back end")))


def _payee_label(payee: str) -> str:
    try:
        return str(FeeHead.Payee(payee).label)
    except ValueError:
        return _("Payee")


def _documents(application: Application) -> list[ApplicationDocument]:
    """The uploaded documents, each with the service's name for it (not its code)."""
    names = {
        document.code: document.name
        for document in RequiredDocument.objects.filter(service_id=application.service_id)
    }
    documents = list(application.documents.all())
    for document in documents:
        document.label = names.get(document.code, _("Document"))  # type: ignore[attr-defined]
    return documents


@staff_page(*policy.roles_for("application.view"))
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    application = application_get_for(user=user, number=number)
    if application is None:
        return not_found(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        # A resubmission carries the corrected form (fields posted as field_<name>).
        corrected = {
            key.removeprefix("field_"): value
            for key, value in request.POST.items()
            if key.startswith("field_")
        }
        try:
            application_act(
                application=application,
                action=action,
                actor=user,
                comment=request.POST.get("comment", ""),
                fields=corrected if action == "resubmit" and corrected else None,
                from_form=True,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Done."))
        return redirect("applications:detail", number=number)
    next_actions = application_next_actions(application=application, user=user)
    workflow = workflow_get(application.workflow_code, application.workflow_version)
    action_labels = {action.code: str(action.label) for action in workflow.actions}
    action_labels.update({"submit": _("Submitted"), "escalate": _("Flagged overdue")})
    history = list(application.history.select_related("actor").order_by("at", "pk"))
    for entry in history:
        entry.action_label = action_labels.get(entry.action, _("Other step"))  # type: ignore[attr-defined]
        entry.from_label = state_label(entry.from_state) if entry.from_state else ""  # type: ignore[attr-defined]
        entry.to_label = state_label(entry.to_state)  # type: ignore[attr-defined]
        entry.system_label = _system_actor(entry.actor_label)  # type: ignore[attr-defined]
    fees = list(application.fees.all())
    for fee in fees:
        fee.payee_label = _payee_label(fee.payee)  # type: ignore[attr-defined]
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "status_label": state_label(application.status),
            "fees": fees,
            "field_rows": application_field_rows(application),
            "history": history,
            "documents": _documents(application),
            "next_actions": next_actions,
            # The verifier is not offered the approval; a second officer is (four eyes).
            "awaits_second_officer": any(
                action_barred_for(application=application, step=step, actor=user)
                for step in workflow.actions_from(application.status)
            ),
            "workflow_label": str(workflow.label),
            "may_correct": any(action.code == "resubmit" for action in next_actions),
            "certificate": getattr(application, "certificate", None),
            "overdue": application.is_open and local_today() > application.due_date,
        },
    )


@staff_page(*policy.roles_for("application.view"))
def acknowledgement(request: HttpRequest, number: str) -> HttpResponse:
    application = application_get_for(user=_user(request), number=number)
    if application is None:
        return not_found(request)
    url = tracking_url(request, application.number)
    receipt = request.GET.get("format") == "receipt"
    log_url = receipt_log_url(
        base_url=request.build_absolute_uri("/"),
        application_no=application.number,
        salt=application.log_salt,
    )
    labels = {}
    for lang in ("bn", "en"):
        with translation.override(lang):
            labels[f"status_{lang}"] = state_label(application.status)
            labels[f"hold_{lang}"] = str(application.get_hold_display())
    return render(
        request,
        "applications/acknowledgement.html",
        {
            "application": application,
            "fees": list(application.fees.all()),
            "status_label": state_label(application.status),
            "qr": qr_svg(url, scale=2 if receipt else 3),
            "tracking_url": url,
            "log_url": log_url,
            "log_qr": qr_svg(log_url, scale=2),
            "receipt": receipt,
            **labels,
        },
    )


@staff_page(*policy.roles_for("application.view"))
def document_download(request: HttpRequest, number: str, document_id: int) -> HttpResponseBase:
    application = application_get_for(user=_user(request), number=number)
    if application is None:
        return not_found(request)
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        return not_found(request)
    try:
        path = document_path(document.storage_name)
        handle = path.open("rb")
    except (ValueError, OSError):
        return not_found(request)
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="{document.pk}.{path.suffix[1:]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


INBOX_PAGE_SIZE = 50


def _queue_filter(request: HttpRequest, states: list[str]) -> QueueFilter:
    """What the officer asked for; anything unknown is ignored, not an error."""
    due = request.GET.get("due", "")
    state = request.GET.get("state", "")
    return QueueFilter(
        search=request.GET.get("q", "")[:80],
        service_code=request.GET.get("service", "")[:40],
        state=state if state in states else "",
        due=due if due in DUE_FILTERS else "",
        sort="newest" if request.GET.get("sort") == "newest" else "",
    )


@staff_page(Role.OFFICER)
def inbox(request: HttpRequest) -> HttpResponse:
    """The department's queue: searchable, filterable, paginated; overdue first."""
    user = _user(request)
    today = local_today()
    services, states = officer_queue_choices(officer=user)
    chosen = _queue_filter(request, states)
    page = Paginator(officer_queue(officer=user, today=today, chosen=chosen), INBOX_PAGE_SIZE)
    current = page.get_page(request.GET.get("page"))
    applications = mark_overdue(current.object_list, today)
    for application in applications:
        application.status_label = state_label(application.status)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/inbox.html",
        {
            "applications": applications,
            "page": current,
            "matching": page.count,
            "query": query.urlencode(),
            "chosen": chosen,
            "filtered": chosen != QueueFilter(),
            "services": services,
            "states": [(code, state_label(code)) for code in states],
            "counts": officer_queue_counts(officer=user, today=today),
            "today": today,
        },
    )


@staff_page(*policy.roles_for("rtps.view"))
def rtps(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = local_today()
    # What each role sees is the policy's reach of rtps.view, applied by the selector.
    lines = rtps_report(user=user, today=today)
    district = user.district if user.role == Role.DISTRICT else None
    return render(
        request,
        "applications/rtps_report.html",
        {"lines": lines, "today": today, "district": district, "department": user.department},
    )


__all__ = ["error_page"]
