"""Each role's console: where a user lands after login, the district nodal officer's
console (their district: centres, wallets, applications, RTPS) and the auditor's
read-only console (search, the ledger and transparency checks, top-up history)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sahayata.applications.selectors import mark_overdue, rtps_report
from sahayata.applications.services import local_today
from sahayata.applications.views.common import staff_page
from sahayata.applications.workflows import state_label
from sahayata.audit.selectors import (
    EventFilter,
    actions_known,
    events_csv_lines,
    events_filtered,
    object_types_known,
)
from sahayata.consoles.selectors import (
    applications_search,
    centre_lines,
    centres_search,
    centres_visible,
    checks_run,
)
from sahayata.core import chain
from sahayata.people.models import Role, User
from sahayata.people.roles import staff_user
from sahayata.wallet.selectors import topups_decided

# Where each role starts its day after logging in.
CONSOLES = {
    Role.OPERATOR: "applications:counter",
    Role.SUPERVISOR: "applications:counter",
    Role.OFFICER: "applications:inbox",
    Role.FINANCE: "wallet:topups",
    Role.DISTRICT: "consoles:district",
    Role.AUDITOR: "consoles:audit",
    Role.ADMIN: "admin:index",
}
RESULTS_PAGE_SIZE = 50
CHECKS_SESSION_KEY = "consoles_checks"


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)  # staff_page has checked it


def start(request: HttpRequest) -> HttpResponse:
    """The landing page after login: the user's console, or the home page."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if isinstance(user, User) and user.is_active and user.role in CONSOLES:
        return redirect(CONSOLES[Role(user.role)])
    return redirect("home")


def _search_page(request: HttpRequest, user: User, district_id: int | None) -> dict[str, Any]:
    text = request.GET.get("q", "")[:80]
    results = applications_search(user=user, text=text, district_id=district_id)
    page = Paginator(results, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    applications = mark_overdue(page.object_list, local_today())
    for application in applications:
        application.status_label = state_label(application.status)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "search": text.strip(),
        "results": applications,
        "results_page": page,
        "query": query.urlencode(),
    }


@staff_page(Role.DISTRICT)
def district_console(request: HttpRequest) -> HttpResponse:
    """Only the user's own district: no parameter can name another one."""
    user = _user(request)
    district = user.district
    today = local_today()
    district_id = district.pk if district else 0
    lines = centre_lines(centres=centres_visible(user=user, district_id=district_id), today=today)
    context = {
        "district": district,
        "today": today,
        "centres": lines,
        "open_total": sum(line.open_count for line in lines),
        "overdue_total": sum(line.overdue_count for line in lines),
        "available_total": sum(line.available_paise or 0 for line in lines),
        "rtps": rtps_report(user=user, today=today),
        "topups": list(topups_decided(centre_ids=[line.centre.pk for line in lines])[:20]),
        **_search_page(request, user, district_id),
    }
    return render(request, "consoles/district.html", context)


def _checks_from_session(request: HttpRequest) -> dict[str, Any] | None:
    stored = request.session.get(CHECKS_SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    stored = dict(stored)
    stored["at"] = parse_datetime(str(stored.get("at", "")))
    return stored


@staff_page(Role.AUDITOR, Role.ADMIN)
def audit_console(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "centres_found": centres_search(user=user, text=request.GET.get("q", "")[:80]),
        "checks": _checks_from_session(request),
        "topups": list(topups_decided()[:20]),
        **_search_page(request, user, None),
    }
    return render(request, "consoles/audit.html", context)


@staff_page(Role.AUDITOR, Role.ADMIN)
@require_POST
def audit_checks(request: HttpRequest) -> HttpResponse:
    """Run both checks now, verifying only; the result stays in the auditor's session."""
    status = checks_run()
    request.session[CHECKS_SESSION_KEY] = {
        "at": timezone.localtime(status.at).isoformat(),
        "ledger_ok": status.ledger_ok,
        "ledger_failed": status.ledger_failed,
        "ledger_violations": status.ledger_violations,
        "transparency_ok": status.transparency_ok,
        "transparency_cells": status.transparency_cells,
        "transparency_differences": status.transparency_differences,
        "events_waiting": status.events_waiting,
        "milliseconds": round(status.seconds * 1000),
    }
    return HttpResponseRedirect(reverse("consoles:audit") + "#checks")


class TrailFilterForm(forms.Form):
    """The audit trail's filters (GET): a bad value is shown as an error, never a 500."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput({"type": "date"})
    )
    actor = forms.CharField(label=_("Who (username or user id)"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=60)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=40)
    object_id = forms.CharField(label=_("Object (number or id)"), required=False, max_length=64)


def _trail_filter(request: HttpRequest) -> tuple[TrailFilterForm, EventFilter | None]:
    form = TrailFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, EventFilter(**form.cleaned_data)


def _json_text(value: object) -> str:
    return "" if value is None else chain.canonical_json(value)


@staff_page(Role.AUDITOR, Role.ADMIN)
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Every write, newest first: filtered by date, actor, action and object, 50 a page."""
    form, wanted = _trail_filter(request)
    events = events_filtered(wanted) if wanted is not None else events_filtered(EventFilter())[:0]
    page = Paginator(events, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.before_text = _json_text(event.before)
        event.after_text = _json_text(event.after)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "events_page": page,
        "query": query.urlencode(),
        "actions": actions_known(),
        "object_types": object_types_known(),
    }
    return render(request, "consoles/audit_trail.html", context)


@staff_page(Role.AUDITOR, Role.ADMIN)
def audit_trail_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, wanted = _trail_filter(request)
    if wanted is None:
        return render(request, "consoles/audit_trail.html", {"form": form}, status=400)
    response = StreamingHttpResponse(
        events_csv_lines(wanted), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-events-{stamp}.csv"'
    return response
