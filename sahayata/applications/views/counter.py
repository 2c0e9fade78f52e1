"""The counter: find or register a citizen, pick a service (the form and its confirmation
are in ``counter_apply``), and the operator's day."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
from sahayata.core.money import localise_digits
from sahayata.people import policy
from sahayata.people.models import Citizen, User
from sahayata.people.roles import staff_user
from sahayata.people.selectors import citizen_open, citizen_search
from sahayata.people.services import DuplicateCitizen, citizen_register

__all__ = ["citizen_new", "counter_apply", "counter_home", "counter_services", "operator_day"]

SERVICES_PER_PAGE = 20


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)


def _counter_page(
    request: HttpRequest, *, query: str = "", status: int = 200, **extra: Any
) -> HttpResponse:
    """The counter's first page, with the result of a search for ``query`` (if any)."""
    user = _user(request)
    found = citizen_search(user=user, query=query, limit=30) if query else None
    returned = list(centre_returned(centre_id=user.centre_id or 0)[:50])
    context = {
        # A number typed to search by is not written back into the page.
        "query": "" if found is not None and found.exact else query,
        "citizens": found.citizens if found else [],
        "exact": bool(found and found.exact),
        "searched": bool(query),
        "returned": returned,
        **counter_bar(user),
        **extra,
    }
    response = render(request, "applications/counter_home.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


NAME_KEYS = ("name_en", "name_bn")
NAME_MAX_LENGTH = Citizen._meta.get_field("name_en").max_length or 200


@staff_page(*policy.roles_for("citizen.find_by_name"))
def counter_home(request: HttpRequest) -> HttpResponse:
    """Find a citizen: by the exact mobile or Aadhaar number anywhere in the state, by name
    among the centre's own citizens (``people.selectors.citizen_search``). The form posts,
    so that a mobile or Aadhaar number never lands in a URL or an access log."""
    source = request.POST if request.method == "POST" else request.GET
    return _counter_page(request, query=source.get("q", "").strip())


@staff_page(*policy.roles_for("citizen.register"))
def citizen_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("applications:counter")
    user = _user(request)
    aadhaar = request.POST.get("aadhaar", "").strip()
    if any(len(request.POST.get(key, "").strip()) > NAME_MAX_LENGTH for key in NAME_KEYS):
        # The names' columns hold 200 characters: say so, rather than fail on PostgreSQL.
        messages.error(
            request,
            _("A name can be at most %(count)s characters long.")
            % {"count": localise_digits(str(NAME_MAX_LENGTH))},
        )
        form = {key: value for key, value in request.POST.items() if key != "aadhaar"}
        return _counter_page(request, status=422, form=form)
    try:
        citizen = citizen_register(
            name_en=request.POST.get("name_en", ""),
            name_bn=request.POST.get("name_bn", ""),
            mobile=request.POST.get("mobile", ""),
            gender=request.POST.get("gender", ""),
            aadhaar=aadhaar or None,
            registered_centre=user.centre,
            actor=user,
        )
    except DuplicateCitizen as error:
        # The holder is shown as the exact-match search would show them, and nothing else.
        messages.info(request, str(error.message))
        return _counter_page(request, query=aadhaar, status=error.status, duplicate=True)
    except DomainError as error:
        messages.error(request, str(error.message))
        form = {key: value for key, value in request.POST.items() if key != "aadhaar"}
        return _counter_page(request, status=error.status, form=form)
    messages.success(request, _("Citizen registered."))
    return redirect("applications:counter_services", citizen_id=citizen.public_id)


@staff_page(*policy.roles_for("citizen.open"))
def counter_services(request: HttpRequest, citizen_id: uuid.UUID) -> HttpResponse:
    """Every active service, grouped by department, narrowed by a search in either
    language and by department, a page at a time."""
    citizen = citizen_open(user=_user(request), public_id=citizen_id)
    if citizen is None:
        return not_found(request)
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


@staff_page(*policy.roles_for("counter.day"))
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
