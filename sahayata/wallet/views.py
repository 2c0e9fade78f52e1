"""HTML pages of the wallet: the centre's wallet and statement, and finance's top-up queue.

Views only translate between HTTP and the services/selectors; every rule (who may ask,
who may approve, maker-checker) is enforced by the services, and whose wallet a user may
see is ``selectors.centre_visible`` (the same as in the API and the CSV export).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sahayata.core.errors import DomainError
from sahayata.people.models import CENTRE_ROLES, Role, User
from sahayata.people.roles import centre_scope, staff_user
from sahayata.places.models import Centre
from sahayata.wallet import selectors
from sahayata.wallet.api import statement_csv
from sahayata.wallet.errors import WalletForbidden
from sahayata.wallet.forms import RejectForm, StatementForm, TopUpRequestForm
from sahayata.wallet.services import topup_approve, topup_reject, topup_request

TOPUP_PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)


def _sees_wallets(user: User) -> bool:
    return not centre_scope(user).nothing


def _centre_for(user: User, code: str | None) -> Centre:
    """The centre named by ``code`` (by default an operator's or supervisor's own), if the
    user may see its wallet (``selectors.centre_visible``); 404 otherwise."""
    if not code and user.has_role(*CENTRE_ROLES) and user.centre is not None:
        code = user.centre.code
    centre = selectors.centre_visible(user=user, code=code or "")
    if centre is None:
        raise Http404
    return centre


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "wallet/forbidden.html", status=403)


@login_required
def wallet_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _sees_wallets(user):
        return _forbidden(request)
    if user.has_role(Role.DISTRICT) and not request.GET.get("centre"):
        return HttpResponseRedirect(reverse("consoles:district"))
    if centre_scope(user).everything and not request.GET.get("centre"):
        return HttpResponseRedirect(reverse("wallet:topups"))
    centre = _centre_for(user, request.GET.get("centre"))
    form = TopUpRequestForm()
    if request.method == "POST" and user.has_role(*CENTRE_ROLES):
        form = TopUpRequestForm(request.POST)
        if form.is_valid():
            try:
                topup_request(
                    centre=centre,
                    amount_paise=form.cleaned_data["amount"],
                    bank_reference=form.cleaned_data["bank_reference"],
                    requested_by=user,
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(
                    request, _("Top-up requested. Finance will check it with the bank.")
                )
                return HttpResponseRedirect(reverse("wallet:home"))
    wallet = selectors.centre_wallet(centre=centre)
    context: dict[str, Any] = {
        "centre": centre,
        "balance": selectors.wallet_balance(account=wallet) if wallet else None,
        "topups": selectors.topups_for_centre(centre=centre, limit=20),
        "form": form,
        "can_request": user.has_role(*CENTRE_ROLES),
    }
    return render(request, "wallet/home.html", context)


@login_required
def wallet_statement(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _sees_wallets(user):
        return _forbidden(request)
    centre = _centre_for(user, request.GET.get("centre"))
    form = StatementForm(request.GET)
    wallet = selectors.centre_wallet(centre=centre)
    if not form.is_valid():
        return render(
            request,
            "wallet/statement.html",
            {"centre": centre, "form": form, "lines": [], "days": []},
            status=422 if request.GET else 200,
        )
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    lines = (
        selectors.wallet_statement_lines(account=wallet, date_from=date_from, date_to=date_to)
        if wallet
        else []
    )
    if request.GET.get("format") == "csv":
        return statement_csv(centre, lines[::-1])
    days = (
        selectors.wallet_daily_balances(
            account=wallet, date_from=date_from, date_to=date_to, entries=lines
        )
        if wallet
        else []
    )
    query = request.GET.copy()
    query["format"] = "csv"
    context = {
        "centre": centre,
        "form": form,
        "lines": lines[::-1],
        "balance": selectors.wallet_balance(account=wallet) if wallet else None,
        "days": days[::-1],
        "date_from": date_from,
        "date_to": date_to,
        "csv_query": query.urlencode(),
    }
    return render(request, "wallet/statement.html", context)


@login_required
def topups_queue(request: HttpRequest) -> HttpResponse:
    """Finance's queue (oldest request first) and the history of decisions, newest first."""
    user = _user(request)
    # The state-wide queue and its history: finance decides, auditors and administrators read.
    if not centre_scope(user).everything:
        return _forbidden(request)
    history = Paginator(selectors.topups_decided(), TOPUP_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "topups": list(selectors.topups_pending(user=user)[:200]),
        "history": history,
        "can_decide": user.has_role(Role.FINANCE),
        "reject_form": RejectForm(),
    }
    return render(request, "wallet/topups.html", context)


@login_required
@require_POST
def topup_decide(request: HttpRequest, topup_id: str, decision: str) -> HttpResponse:
    user = _user(request)
    try:
        if decision == "approve":
            topup = topup_approve(topup_id=topup_id, approved_by=user)
            messages.success(request, _("Top-up %(ref)s credited.") % {"ref": topup.bank_reference})
        else:
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            topup = topup_reject(topup_id=topup_id, rejected_by=user, reason=reason)
            messages.info(request, _("Top-up %(ref)s rejected.") % {"ref": topup.bank_reference})
    except DomainError as error:
        # A user the policy gives no say (not the requester of a finance officer's own
        # request: that is maker-checker, said in the queue), or a top-up that does not
        # exist, is told so, not sent back to a queue.
        if isinstance(error, WalletForbidden):
            return _forbidden(request)
        if error.status == 404:
            raise Http404 from error
        messages.error(request, str(error.message))
    return HttpResponseRedirect(reverse("wallet:topups"))
