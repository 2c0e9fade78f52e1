"""The office: an application's page (history, actions, documents), acknowledgement,
officer inbox and the per-department RTPS report."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sahayata.applications.documents import document_path
from sahayata.applications.models import Application
from sahayata.applications.selectors import (
    application_get_for,
    mark_overdue,
    officer_inbox,
    rtps_report,
)
from sahayata.applications.services import (
    application_act,
    application_next_actions,
    local_today,
)
from sahayata.applications.views.common import error_page, not_found, qr_svg, staff_page
from sahayata.applications.views.counter_apply import amount_label
from sahayata.applications.workflows import state_label, workflow_get
from sahayata.catalogue.models import ServiceVersion
from sahayata.core.errors import DomainError
from sahayata.core.money import rupees_input
from sahayata.people.models import Role, User

ALL_STAFF = tuple(Role.values)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def tracking_url(request: HttpRequest, number: str) -> str:
    return request.build_absolute_uri(reverse("applications:track")) + f"?application_no={number}"


def _field_rows(application: Application) -> list[tuple[str, str, object]]:
    """``(name, label in the current language, value)`` per form field, as submitted."""
    version = ServiceVersion.objects.filter(
        service_id=application.service_id, version=application.service_version
    ).first()
    specs = version.definition.get("form_fields", []) if version else []
    bengali = (translation.get_language() or "bn").startswith("bn")
    labels = {spec["name"]: spec["label_bn" if bengali else "label_en"] for spec in specs}
    # Amounts are stored in paise and typed in rupees (the correction form posts them back).
    amounts = {spec["name"] for spec in specs if spec.get("type") == "paise"}
    return [
        (name, f"{amount_label(labels.get(name, name))} (₹)", rupees_input(value))
        if name in amounts and isinstance(value, int)
        else (name, labels.get(name, name), value)
        for name, value in application.fields.items()
    ]


@staff_page(*ALL_STAFF)
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
        entry.action_label = action_labels.get(entry.action, entry.action)  # type: ignore[attr-defined]
        entry.from_label = state_label(entry.from_state) if entry.from_state else ""  # type: ignore[attr-defined]
        entry.to_label = state_label(entry.to_state)  # type: ignore[attr-defined]
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "status_label": state_label(application.status),
            "fees": list(application.fees.all()),
            "field_rows": _field_rows(application),
            "history": history,
            "documents": list(application.documents.all()),
            "next_actions": next_actions,
            "may_correct": any(action.code == "resubmit" for action in next_actions),
            "certificate": getattr(application, "certificate", None),
            "overdue": application.is_open and local_today() > application.due_date,
        },
    )


@staff_page(*ALL_STAFF)
def acknowledgement(request: HttpRequest, number: str) -> HttpResponse:
    application = application_get_for(user=_user(request), number=number)
    if application is None:
        return not_found(request)
    url = tracking_url(request, application.number)
    receipt = request.GET.get("format") == "receipt"
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
            "receipt": receipt,
            **labels,
        },
    )


@staff_page(*ALL_STAFF)
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


@staff_page(Role.OFFICER)
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = local_today()
    applications = mark_overdue(officer_inbox(officer=user)[:300], today)
    for application in applications:
        application.status_label = state_label(application.status)  # type: ignore[attr-defined]
    return render(
        request,
        "applications/inbox.html",
        {
            "applications": applications,
            "today": today,
            "overdue_count": len([a for a in applications if getattr(a, "overdue", False)]),
        },
    )


@staff_page(Role.OFFICER, Role.DISTRICT, Role.AUDITOR, Role.ADMIN, Role.SUPERVISOR)
def rtps(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = local_today()
    department_id = user.department_id if user.role == Role.OFFICER else None
    return render(
        request,
        "applications/rtps_report.html",
        {"lines": rtps_report(today=today, department_id=department_id), "today": today},
    )


__all__ = ["error_page"]
