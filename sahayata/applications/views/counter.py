"""The counter: find or register a citizen, pick a service, fill its form, submit."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sahayata.applications.documents import MAX_DOCUMENT_BYTES, Upload
from sahayata.applications.selectors import (
    centre_applications_on,
    centre_returned,
    operator_day_summary,
)
from sahayata.applications.services import (
    InvalidDocument,
    InvalidFields,
    application_submit,
    local_today,
)
from sahayata.applications.views.common import error_page, staff_page
from sahayata.catalogue.selectors import service_current_version, service_get, service_search
from sahayata.core.errors import DomainError
from sahayata.people.models import Citizen, Role, User
from sahayata.people.selectors import citizen_search
from sahayata.people.services import citizen_register
from sahayata.wallet.selectors import centre_wallet, wallet_balance

FIELD_PROBLEMS = {
    "required": gettext_lazy("This field is required."),
    "unknown_field": gettext_lazy("This field is not part of the form."),
    "too_long": gettext_lazy("This is too long."),
    "pattern": gettext_lazy("This is not in the expected format."),
    "not_a_number": gettext_lazy("Enter a whole number."),
    "not_an_integer": gettext_lazy("Enter a whole number of paise."),
    "out_of_range": gettext_lazy("Enter an amount from 1 to 10^15 paise."),
    "not_a_date": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "not_a_mobile": gettext_lazy("Enter a 10-digit mobile number."),
    "not_a_choice": gettext_lazy("Choose one of the options."),
    "not_text": gettext_lazy("Enter text."),
    "fee_changed": gettext_lazy("The correction may not change the fee."),
}


def _problem_text(code: str) -> str:
    return str(FIELD_PROBLEMS.get(code, gettext_lazy("This value is not valid.")))


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@staff_page(Role.OPERATOR, Role.SUPERVISOR)
def counter_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    citizens = list(citizen_search(query=query, limit=30)) if query else []
    user = _user(request)
    returned = list(centre_returned(centre_id=user.centre_id or 0)[:50])
    return render(
        request,
        "applications/counter_home.html",
        {"query": query, "citizens": citizens, "searched": bool(query), "returned": returned},
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
            {"query": "", "citizens": [], "form": request.POST},
            status=error.status,
        )
    messages.success(request, _("Citizen registered."))
    return redirect("applications:counter_services", citizen_id=citizen.pk)


@staff_page(Role.OPERATOR, Role.SUPERVISOR)
def counter_services(request: HttpRequest, citizen_id: int) -> HttpResponse:
    citizen = get_object_or_404(Citizen, pk=citizen_id)
    query = request.GET.get("q", "").strip()
    services = service_search(query, lang=get_language())[:60]
    return render(
        request,
        "applications/counter_services.html",
        {"citizen": citizen, "query": query, "services": services},
    )


def _form_context(
    service: Any, definition: dict[str, Any], values: dict[str, Any], problems: dict[str, str]
) -> dict[str, Any]:
    bengali = (get_language() or "bn").startswith("bn")
    fields = []
    for spec in definition.get("form_fields", []):
        choices = []
        for choice in spec.get("choices") or []:
            if isinstance(choice, (list, tuple)):
                choices.append((str(choice[0]), str(choice[-1])))
            elif isinstance(choice, dict):
                value = str(choice.get("value", choice.get("code", "")))
                label = choice.get("label_bn" if bengali else "label_en") or value
                choices.append((value, str(label)))
            else:
                choices.append((str(choice), str(choice)))
        fields.append(
            {
                **spec,
                "label": spec["label_bn"] if bengali else spec["label_en"],
                "value": values.get(spec["name"], ""),
                "problem": problems.get(spec["name"], ""),
                "choice_list": choices,
            }
        )
    labels = {f["name"]: f["label"] for f in fields}
    heads = [
        {
            **head,
            "name": head["name_bn"] if bengali else head["name_en"],
            "from_label": labels.get(head.get("amount_from_field") or "", ""),
        }
        for head in definition.get("fee_heads", [])
    ]
    documents = [
        {**doc, "name": doc["name_bn"] if bengali else doc["name_en"]}
        for doc in definition.get("documents", [])
    ]
    fixed_total = sum(int(h["amount_paise"] or 0) for h in heads if not h.get("amount_from_field"))
    return {
        "service": service,
        "fields": fields,
        "heads": heads,
        "documents": documents,
        "fixed_total": fixed_total,
        "has_variable_fee": any(h.get("amount_from_field") for h in heads),
    }


@staff_page(Role.OPERATOR)
def counter_apply(request: HttpRequest, citizen_id: int, service_code: str) -> HttpResponse:
    user = _user(request)
    citizen = get_object_or_404(Citizen, pk=citizen_id)
    try:
        service = service_get(code=service_code)
        definition = service_current_version(service).definition
    except DomainError as error:
        return error_page(request, error)
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    document_problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        names = {spec["name"] for spec in definition.get("form_fields", [])}
        values = {key: request.POST.get(key, "") for key in request.POST if key in names}
        # Read at most one byte past the limit: enough to refuse a file that is too large.
        uploads = []
        for key in request.FILES:
            upload = request.FILES.get(key)
            if key.startswith("doc_") and upload is not None:
                uploads.append(
                    Upload(
                        code=key.removeprefix("doc_"),
                        name=upload.name or "",
                        content=upload.read(MAX_DOCUMENT_BYTES + 1),
                    )
                )
        try:
            application = application_submit(
                operator=user,
                centre=user.centre,  # type: ignore[arg-type]
                service=service,
                citizen=citizen,
                fields=values,
                documents=uploads,
                contact_email=request.POST.get("contact_email", "").strip(),
                client_token="form:" + request.POST.get("form_token", "")[:50]
                if request.POST.get("form_token")
                else None,
                from_form=True,
                require_documents=True,
            )
        except InvalidFields as error:
            problems = {p["field"]: _problem_text(p["problem"]) for p in error.details["fields"]}
            messages.error(request, str(error.message))
            status = 422
        except InvalidDocument as error:
            document_problems = {d["document"]: d["problem"] for d in error.details["documents"]}
            messages.error(request, str(error.message))
            status = 422
        except DomainError as error:
            messages.error(request, str(error.message))
            status = error.status
        else:
            messages.success(request, _("Application submitted."))
            return redirect("applications:acknowledgement", number=application.number)
    context = _form_context(service, definition, values, problems)
    for doc in context["documents"]:
        doc["problem"] = document_problems.get(doc["code"], "")
    wallet = centre_wallet(centre=user.centre) if user.centre else None
    context.update(
        {
            "citizen": citizen,
            "form_token": secrets.token_urlsafe(24),
            "available_paise": wallet_balance(account=wallet).available_paise if wallet else 0,
            "contact_email": request.POST.get("contact_email", ""),
        }
    )
    return render(request, "applications/counter_apply.html", context, status=status)


@staff_page(Role.OPERATOR, Role.SUPERVISOR)
def operator_day(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = local_today()
    assert user.centre_id is not None
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
