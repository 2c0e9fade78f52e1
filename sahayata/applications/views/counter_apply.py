"""The counter's application form and its confirmation step.

The form lives at a URL that carries its token (``?t=…``), so Back and reload bring the
same token, and a token already used shows its application instead of a fresh form: a
second submit can never pay twice. A paid form goes through a confirmation page (amount
in figures and words, fee heads and payees, the wallet before and after) before any money
moves; the same bill paid earlier the same day needs an explicit "pay again". What was
typed is kept in a draft (``applications.drafts``) across the steps and across a login.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sahayata.applications import drafts
from sahayata.applications.documents import MAX_DOCUMENT_BYTES, Upload, upload_problem
from sahayata.applications.models import Application
from sahayata.applications.rules import FeeLine, amount_label
from sahayata.applications.selectors import application_for_client_token, centre_same_bill_on
from sahayata.applications.services import (
    InvalidDocument,
    InvalidFields,
    application_documents_check,
    application_preview,
    application_submit,
    local_today,
)
from sahayata.applications.views.common import error_page, not_found, staff_page
from sahayata.catalogue.selectors import service_current_version, service_get
from sahayata.core.errors import DomainError
from sahayata.core.money import AMOUNT_PROBLEMS, ascii_digits, format_inr
from sahayata.people import policy
from sahayata.people.models import Citizen, User
from sahayata.people.roles import staff_user
from sahayata.people.selectors import citizen_open
from sahayata.wallet.selectors import centre_wallet, wallet_balance

FIELD_PROBLEMS = {
    "required": gettext_lazy("This field is required."),
    "unknown_field": gettext_lazy("This field is not part of the form."),
    "too_long": gettext_lazy("This is too long."),
    "pattern": gettext_lazy("This is not in the expected format."),
    "not_a_number": gettext_lazy("Enter a whole number."),
    "not_an_integer": gettext_lazy("Enter the amount in rupees."),
    "out_of_range": gettext_lazy("The amount is too large."),
    "not_a_date": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "not_a_mobile": gettext_lazy("Enter a 10-digit mobile number."),
    "not_a_choice": gettext_lazy("Choose one of the options."),
    "not_text": gettext_lazy("Enter text."),
    "fee_changed": gettext_lazy("The correction may not change the fee."),
    **AMOUNT_PROBLEMS,
}
PAYEES = {
    "treasury": gettext_lazy("State treasury"),
    "department": gettext_lazy("Department"),
    "biller": gettext_lazy("Biller"),
}


def _problem_text(code: str) -> str:
    return str(FIELD_PROBLEMS.get(code, gettext_lazy("This value is not valid.")))


def _bengali() -> bool:
    return (get_language() or "bn").startswith("bn")


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)


def _label(spec: dict[str, Any]) -> str:
    label = str(spec["label_bn"] if _bengali() else spec["label_en"])
    return amount_label(label) if spec.get("type") == "paise" else label


def _example(spec: dict[str, Any]) -> str:
    example = str(spec.get("example") or "")
    if spec.get("type") == "paise" and example.isdigit():
        return format_inr(int(example))  # stored in paise, typed in rupees
    labels = dict(_choice_list(spec))
    return labels.get(example, example)  # a choice is shown as the operator sees it


def _choice_list(spec: dict[str, Any]) -> list[tuple[str, str]]:
    choices = []
    for choice in spec.get("choices") or []:
        if isinstance(choice, (list, tuple)):
            choices.append((str(choice[0]), str(choice[-1])))
        elif isinstance(choice, dict):
            value = str(choice.get("value", choice.get("code", "")))
            label = choice.get("label_bn" if _bengali() else "label_en") or value
            choices.append((value, str(label)))
        else:
            choices.append((str(choice), str(choice)))
    return choices


def _form_context(
    definition: dict[str, Any], values: dict[str, Any], problems: dict[str, str]
) -> dict[str, Any]:
    fields = [
        {
            **spec,
            "label": _label(spec),
            "example": _example(spec),
            "value": values.get(spec["name"], ""),
            "problem": problems.get(spec["name"], ""),
            "choice_list": _choice_list(spec),
        }
        for spec in definition.get("form_fields", [])
    ]
    labels = {f["name"]: f["label"] for f in fields}
    heads = [
        {
            **head,
            "name": head["name_bn"] if _bengali() else head["name_en"],
            "payee_label": PAYEES.get(head["payee"], PAYEES["biller"]),
            "from_label": labels.get(head.get("amount_from_field") or "", ""),
        }
        for head in definition.get("fee_heads", [])
    ]
    documents = [
        {**doc, "name": doc["name_bn"] if _bengali() else doc["name_en"]}
        for doc in definition.get("documents", [])
    ]
    fixed_total = sum(int(h["amount_paise"] or 0) for h in heads if not h.get("amount_from_field"))
    return {
        "fields": fields,
        "heads": heads,
        "documents": documents,
        "fixed_total": fixed_total,
        "has_variable_fee": any(h.get("amount_from_field") for h in heads),
    }


def counter_bar(user: User) -> dict[str, Any]:
    """The centre and what its wallet can pay now, shown on every counter page."""
    wallet = centre_wallet(centre=user.centre) if user.centre else None
    return {
        "counter_centre": user.centre,
        "available_paise": wallet_balance(account=wallet).available_paise if wallet else 0,
    }


def _uploads(request: HttpRequest) -> list[Upload]:
    uploads = []
    for key in request.FILES:
        upload = request.FILES.get(key)
        if key.startswith("doc_") and upload is not None:
            # Read at most one byte past the limit: enough to refuse a file that is too large.
            content = upload.read(MAX_DOCUMENT_BYTES + 1)
            uploads.append(
                Upload(code=key.removeprefix("doc_"), name=upload.name or "", content=content)
            )
    return uploads


def _typed_number(text: str) -> str:
    """A whole number as people type it at the counter (৯৬,০০০, 96,000, ₹ 96000) in the
    figures the rules read (96000); anything else is left as typed, for the rules to refuse
    and the form to show again."""
    compact = ascii_digits(text).strip().removeprefix("₹").replace(",", "").replace(" ", "")
    return compact if compact.isascii() and compact.isdigit() else text


def _posted_values(post: QueryDict, definition: dict[str, Any]) -> dict[str, str]:
    types = {spec["name"]: spec.get("type", "text") for spec in definition.get("form_fields", [])}
    values = {key: post.get(key, "") for key in post if key in types}
    return {
        key: _typed_number(value) if types[key] == "number" else value
        for key, value in values.items()
    }


def _apply_url(citizen_id: uuid.UUID, service_code: str, token: str, **extra: str) -> str:
    url = reverse("applications:counter_apply", args=[citizen_id, service_code])
    query = QueryDict(mutable=True)
    query.update({"t": token, **extra})
    return f"{url}?{query.urlencode()}"


def counter_apply(
    request: HttpRequest, citizen_id: uuid.UUID, service_code: str
) -> HttpResponseBase:
    """The form, its confirmation and the submission, under one URL and one token."""
    if request.method == "POST" and not request.user.is_authenticated:
        return _keep_after_session_end(request, citizen_id, service_code)
    return _counter_apply(request, citizen_id, service_code)


def _keep_after_session_end(
    request: HttpRequest, citizen_id: uuid.UUID, service_code: str
) -> HttpResponseBase:
    """The session ended while the form was open: keep what was typed, ask to log in, and
    come back to the filled form (documents, which the session cannot hold, are asked for
    again)."""
    token = request.POST.get("form_token", "")
    if not drafts.token_valid(token):
        token = secrets.token_urlsafe(24)
    try:
        definition = service_current_version(service_get(code=service_code)).definition
    except DomainError:
        return redirect_to_login(request.get_full_path())
    drafts.draft_save(
        request.session,
        token=token,
        values=_posted_values(request.POST, definition),
        contact_email=request.POST.get("contact_email", "")[:254],
        session_ended=True,
    )
    return redirect_to_login(_apply_url(citizen_id, service_code, token))


@staff_page(*policy.roles_for("application.submit"))
def _counter_apply(request: HttpRequest, citizen_id: uuid.UUID, service_code: str) -> HttpResponse:
    user = _user(request)
    citizen = citizen_open(user=user, public_id=citizen_id)
    if citizen is None:
        return not_found(request)
    try:
        service = service_get(code=service_code)
        definition = service_current_version(service).definition
    except DomainError as error:
        return error_page(request, error)
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("form_token" if request.method == "POST" else "t", "")
    if not drafts.token_valid(token):
        if request.method == "POST":
            token = secrets.token_urlsafe(24)
        else:
            return redirect(_apply_url(citizen.public_id, service.code, secrets.token_urlsafe(24)))
    used = application_for_client_token(client_token="form:" + token)
    if used is not None and used.centre_id == user.centre_id:
        return _already_submitted(request, used, citizen, service, token)
    step = _Step(request, user=user, citizen=citizen, service=service, definition=definition)
    step.token = token
    if request.method == "POST":
        return step.post()
    if request.GET.get("confirm"):
        return step.confirmation_from_draft()
    return step.form_from_draft()


def _already_submitted(
    request: HttpRequest, application: Application, citizen: Citizen, service: Any, token: str
) -> HttpResponse:
    """Back, reload or a second submit of a used form: its application, never a second."""
    if request.method == "POST":
        drafts.draft_drop(request.session, token, owner_id=_user(request).pk)
        messages.info(
            request,
            _("This form was already submitted as %(number)s; nothing was paid again.")
            % {"number": application.number},
        )
        return redirect("applications:acknowledgement", number=application.number)
    return render(
        request,
        "applications/counter_used.html",
        {
            "application": application,
            "citizen": citizen,
            "service": service,
            "new_url": reverse(
                "applications:counter_apply", args=[citizen.public_id, service.code]
            ),
            **counter_bar(_user(request)),
        },
    )


def _document_problems(definition: dict[str, Any], uploads: list[Upload]) -> dict[str, str]:
    """``{document code: problem}`` for these uploads (none when they are all right)."""
    try:
        application_documents_check(definition, uploads, require_mandatory=True)
    except InvalidDocument as error:
        return {d["document"]: d["problem"] for d in error.details["documents"]}
    return {}


class _Step:
    """One request of the form-confirm-submit flow for one token."""

    token: str

    def __init__(
        self,
        request: HttpRequest,
        *,
        user: User,
        citizen: Citizen,
        service: Any,
        definition: dict[str, Any],
    ) -> None:
        self.request, self.user, self.citizen = request, user, citizen
        self.service, self.definition = service, definition

    # --- Reading what was typed -------------------------------------------------------

    def _kept_uploads(self, posted: list[Upload]) -> list[Upload]:
        """Documents posted now, plus those kept from an earlier step of this form."""
        kept = drafts.uploads_kept(owner_id=self.user.pk, token=self.token)
        posted_codes = {upload.code for upload in posted}
        return posted + [upload for upload in kept if upload.code not in posted_codes]

    def _keep(self, values: dict[str, str], uploads: list[Upload]) -> None:
        drafts.draft_save(
            self.request.session,
            token=self.token,
            values=values,
            contact_email=self.request.POST.get("contact_email", "").strip()[:254],
        )
        acceptable = [u for u in uploads if upload_problem(u) is None]
        drafts.uploads_stash(owner_id=self.user.pk, token=self.token, uploads=acceptable)

    # --- The steps --------------------------------------------------------------------

    def post(self) -> HttpResponse:
        values = _posted_values(self.request.POST, self.definition)
        uploads = self._kept_uploads(_uploads(self.request))
        self._keep(values, uploads)
        try:
            clean, lines = application_preview(
                definition=self.definition,
                fields=values,
                documents=uploads,
                from_form=True,
                require_documents=True,
            )
        except InvalidFields as error:
            problems = {p["field"]: _problem_text(p["problem"]) for p in error.details["fields"]}
            # The documents' problems too, so that one round fixes everything.
            return self.form(
                values,
                problems=problems,
                document_problems=_document_problems(self.definition, uploads),
                error=str(error.message),
            )
        except InvalidDocument as error:
            document_problems = {d["document"]: d["problem"] for d in error.details["documents"]}
            return self.form(values, document_problems=document_problems, error=str(error.message))
        paid = sum(line.amount_paise for line in lines) > 0
        if paid and self.request.POST.get("step") != "confirm":
            # Post, then redirect, then get: Back and reload never re-post the form.
            return redirect(
                _apply_url(self.citizen.public_id, self.service.code, self.token, confirm="1")
            )
        same = self._same_bill(clean, lines) if paid else None
        if same is not None and self.request.POST.get("pay_again") != "1":
            messages.error(self.request, _("Confirm that this bill is to be paid again."))
            return self.confirmation(clean, lines, status=409)
        return self.submit(values, uploads, clean, lines)

    def submit(
        self,
        values: dict[str, str],
        uploads: list[Upload],
        clean: dict[str, Any],
        lines: list[FeeLine],
    ) -> HttpResponse:
        try:
            application = application_submit(
                operator=self.user,
                centre=self.user.centre,  # type: ignore[arg-type]
                service=self.service,
                citizen=self.citizen,
                fields=values,
                documents=uploads,
                contact_email=self.request.POST.get("contact_email", "").strip(),
                client_token="form:" + self.token,
                from_form=True,
                require_documents=True,
            )
        except DomainError as error:
            messages.error(self.request, str(error.message))
            if lines:
                return self.confirmation(clean, lines, status=error.status)
            return self.form(values, status=error.status)
        drafts.draft_drop(self.request.session, self.token, owner_id=self.user.pk)
        messages.success(self.request, _("Application submitted."))
        return redirect("applications:acknowledgement", number=application.number)

    def form_from_draft(self) -> HttpResponse:
        draft = drafts.draft_get(self.request.session, self.token) or {}
        if draft.get("session_ended"):
            messages.warning(
                self.request,
                _(
                    "Your session had ended, so nothing was submitted. The form is as you "
                    "left it: attach the documents again, check it and submit."
                ),
            )
            drafts.draft_seen(self.request.session, self.token)
        return self.form(
            dict(draft.get("values") or {}), contact_email=draft.get("contact_email", "")
        )

    def confirmation_from_draft(self) -> HttpResponse:
        draft = drafts.draft_get(self.request.session, self.token)
        if draft is None:
            messages.info(self.request, _("Fill in the form first."))
            return redirect(_apply_url(self.citizen.public_id, self.service.code, self.token))
        values = dict(draft.get("values") or {})
        uploads = self._kept_uploads([])
        try:
            clean, lines = application_preview(
                definition=self.definition,
                fields=values,
                documents=uploads,
                from_form=True,
                require_documents=True,
            )
        except (InvalidFields, InvalidDocument) as error:
            messages.error(self.request, str(error.message))
            return redirect(_apply_url(self.citizen.public_id, self.service.code, self.token))
        return self.confirmation(clean, lines, values=values, uploads=uploads, draft=draft)

    # --- Rendering --------------------------------------------------------------------

    def form(
        self,
        values: dict[str, Any],
        *,
        problems: dict[str, str] | None = None,
        document_problems: dict[str, str] | None = None,
        error: str = "",
        contact_email: str | None = None,
        status: int | None = None,
    ) -> HttpResponse:
        if error:
            messages.error(self.request, error)
        context = _form_context(self.definition, values, problems or {})
        kept = {
            u.code: u.name for u in drafts.uploads_kept(owner_id=self.user.pk, token=self.token)
        }
        for doc in context["documents"]:
            doc["problem"] = (document_problems or {}).get(doc["code"], "")
            doc["kept"] = kept.get(doc["code"], "") if not doc["problem"] else ""
        if contact_email is None:
            contact_email = self.request.POST.get("contact_email", "")
        context.update(
            {
                "service": self.service,
                "citizen": self.citizen,
                "form_token": self.token,
                "contact_email": contact_email,
                **counter_bar(self.user),
            }
        )
        code = status or (422 if problems or document_problems else 200)
        return render(self.request, "applications/counter_apply.html", context, status=code)

    def _same_bill(self, clean: dict[str, Any], lines: list[FeeLine]) -> Application | None:
        amounts = {
            s["name"] for s in self.definition.get("form_fields", []) if s.get("type") == "paise"
        }
        return centre_same_bill_on(
            centre_id=self.user.centre_id or 0,
            service_id=self.service.pk,
            day=local_today(),
            fee_paise=sum(line.amount_paise for line in lines),
            references={k: v for k, v in clean.items() if k not in amounts},
        )

    def confirmation(
        self,
        clean: dict[str, Any],
        lines: list[FeeLine],
        *,
        values: dict[str, str] | None = None,
        uploads: list[Upload] | None = None,
        draft: dict[str, Any] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        if values is None:
            values = _posted_values(self.request.POST, self.definition)
        if uploads is None:
            uploads = self._kept_uploads([])
        if draft is None:
            draft = {"contact_email": self.request.POST.get("contact_email", "")}
        specs = self.definition.get("form_fields", [])
        total = sum(line.amount_paise for line in lines)
        bar = counter_bar(self.user)
        same = self._same_bill(clean, lines)
        context = {
            "service": self.service,
            "citizen": self.citizen,
            "form_token": self.token,
            "values": values,
            "contact_email": draft.get("contact_email", ""),
            "amount_rows": [
                {"label": _label(s), "paise": clean[s["name"]]}
                for s in specs
                if s.get("type") == "paise" and s["name"] in clean
            ],
            "other_rows": [
                {"label": _label(s), "value": clean[s["name"]]}
                for s in specs
                if s.get("type") != "paise" and s["name"] in clean
            ],
            "lines": [
                {
                    "name": line.name_bn if _bengali() else line.name_en,
                    "payee_label": PAYEES.get(line.payee, PAYEES["biller"]),
                    "amount_paise": line.amount_paise,
                }
                for line in lines
            ],
            "documents": [u.name for u in uploads],
            "total_paise": total,
            "after_paise": bar["available_paise"] - total,
            "same": same,
            "same_at": timezone.localtime(same.submitted_at) if same else None,
            "back_url": _apply_url(self.citizen.public_id, self.service.code, self.token),
            **bar,
        }
        return render(self.request, "applications/counter_confirm.html", context, status=status)


__all__ = ["amount_label", "counter_apply", "counter_bar"]
