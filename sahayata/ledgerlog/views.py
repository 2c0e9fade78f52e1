"""The public log page: the latest signed head, the chain of heads, and a receipt check.

The check works without JavaScript: the form posts (so the salt never sits in a URL) and
the server verifies the proof with ``scripts/verify_log.py`` itself. With JavaScript the
browser fetches the proof and the keys and checks hashes and signature on its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from sahayata.core.errors import NotFound
from sahayata.core.money import format_count, localise_digits
from sahayata.ledgerlog import selectors
from sahayata.ledgerlog.forms import ReceiptCheckForm
from sahayata.ledgerlog.models import LogHead
from sahayata.ledgerlog.verifier import script_path, verify_log
from sahayata.transparency.tables import show

HEADS_PER_PAGE = 30


def _signed_at(head: LogHead, lang: str) -> str:
    return show(dt.datetime.fromisoformat(head.timestamp), "datetime", lang)


def _lang() -> str:
    return "bn" if (get_language() or "bn").startswith("bn") else "en"


def _check(form: ReceiptCheckForm) -> dict[str, Any]:
    """The server's verdict on a receipt: found and verified, or the one "not found"."""
    number, salt = form.cleaned_data["application_no"], form.cleaned_data["salt"]
    try:
        proof = selectors.inclusion_proof(application_no=number, salt=salt)
    except NotFound:
        return {"found": False}
    checker = verify_log()
    try:
        indexes = checker.verify_inclusion(
            proof, salt, checker.public_keys(selectors.log_public_keys())
        )
    except checker.Invalid as exc:
        return {"found": True, "valid": False, "problem": str(exc)}
    return {"found": True, "valid": True, "indexes": indexes, "proof": proof}


@require_http_methods(["GET", "POST"])
def log_page(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    form = ReceiptCheckForm(request.POST or None)
    result = _check(form) if request.method == "POST" and form.is_valid() else None
    latest = selectors.head_latest()
    page = Paginator(selectors.heads_ordered(), HEADS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "result": result,
        "latest": latest,
        "latest_size": format_count(latest.tree_size, lang) if latest else "",
        "latest_at": _signed_at(latest, lang) if latest else "",
        "heads": [
            {
                "head": head,
                "size": format_count(head.tree_size, lang),
                "at": _signed_at(head, lang),
            }
            for head in page.object_list
        ],
        "page": page,
        "lang": lang,
    }
    if result and result.get("indexes") is not None:
        context["leaf_numbers"] = localise_digits(
            ", ".join(str(i) for i in result["indexes"]), lang
        )
    return render(request, "ledgerlog/log.html", context)


@require_GET
def verifier_download(request: HttpRequest) -> FileResponse:
    """The offline verifier itself, to run without trusting this site."""
    return FileResponse(
        script_path().open("rb"),
        as_attachment=True,
        filename="verify_log.py",
        content_type="text/x-python",
    )
