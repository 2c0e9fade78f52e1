"""The counter: find or register a citizen, pick a service (the form and its confirmation
are in ``counter_apply``), and the operator's day."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sahayata.applications.selectors import (
    centre_applications_on,
    centre_returned,
    operator_day_summary,
)
from sahayata.applications.services import local_today
from sahayata.applications.views.common import not_found, staff_page
from sahayata.applications.views.counter_apply import counter_apply, counter_bar
from sahayata.catalogue.selectors import service_search
from sahayata.core.errors import DomainError
from sahayata.people.models import Citizen, Role, User
from sahayata.people.roles import staff_user
from sahayata.people.selectors import citizen_search
from sahayata.people.services import citizen_register

__all__ = ["citizen_new", "counter_apply", "counter_home", "counter_services", "operator_day"]

SERVICES_PER_PAGE = 20


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)


@staff_page(Role.OPERATOR, Role.SUPERVISOR)
def counter_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    citizens = list(citizen_search(query=query, limit=30)) if query else []
    user = _user(request)
    returned = list(centre_returned(centre_id=user.centre_id or 0)[:50])
    return render(
        request,
        "applications/counter_home.html",
        {
            "query": query,
            "citizens": citizens,
            "searched": bool(query),
            "returned": returned,
            **counter_bar(user),
        },
    )


@staff_page(Role.OPERATOR)
def citizen_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("applications:counter")
    try:
        citizen = citizen_register(
            name_en=request.POST.get("name_en", ""),
            name_bn=request.POST.get("name_bn", ""),
            mobile=request.POST.get("mobile", ""),
            gender=request.POST.get("gender", ""),
            aadhaar=request.POST.get("aadhaar") or None,
            actor=request.user,  # type: ignore[arg-type]
        )
    except DomainError as error:
        existing = error.details.get("citizen_id") if error.details else None
        if existing:
            messages.info(request, _("This citizen is already registered."))
            return redirect("applications:counter_services", citizen_id=existing)
        messages.error(request, str(error.message))
        return render(
            request,
            "applications/counter_home.html",
            {"query": "", "citizens": [], "form": request.POST, **counter_bar(_user(request))},
            status=error.status,
        )
    messages.success(request, _("Citizen registered."))
    return redirect("applications:counter_services", citizen_id=citizen.pk)


@staff_page(Role.OPERATOR, Role.SUPERVISOR)
def counter_services(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """Every active service, grouped by department, narrowed by a search in either
    language and by department, a page at a time."""
    citizen = get_object_or_404(Citizen, pk=citizen_id)
    query = request.GET.get("q", "").strip()[:100]
    department_code = request.GET.get("department", "").strip()[:20]
    every = list(service_search("", lang=get_language()))
    matches = list(service_search(query, lang=get_language())) if query else list(every)
    # Every department stays in the list whatever the search; the counts follow the search.
    departments = {service.department.code: service.department for service in every}
    counts = Counter(service.department.code for service in matches)
    if department_code in departments:
        matches = [s for s in matches if s.department.code == department_code]
    else:
        department_code = ""
    # Code-point order follows the Bengali alphabet closely enough; English ignores case.
    matches.sort(key=lambda s: (str(s.department.name).casefold(), str(s.name).casefold()))
    page = Paginator(matches, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    keep = {k: v for k, v in {"q": query, "department": department_code}.items() if v}
    return render(
        request,
        "applications/counter_services.html",
        {
            "citizen": citizen,
            "query": query,
            "department_code": department_code,
            "departments": [
                (code, department.name, counts[code])
                for code, department in sorted(
                    departments.items(), key=lambda item: str(item[1].name).casefold()
                )
            ],
            "page": page,
            "total": len(matches),
            "keep_query": urlencode(keep),
            **counter_bar(_user(request)),
        },
    )


@staff_page(Role.OPERATOR, Role.SUPERVISOR)
def operator_day(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = local_today()
    if user.centre_id is None:  # the database's check constraint says it never is
        return not_found(request)
    summary = operator_day_summary(centre_id=user.centre_id, day=today)
    applications = list(centre_applications_on(centre_id=user.centre_id, day=today))
    return render(
        request,
        "applications/operator_day.html",
        {
            "summary": summary,
            "applications": applications,
            "today": today,
            "counter_url": reverse("applications:counter"),
        },
    )
