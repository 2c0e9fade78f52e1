"""JSON API of the e-wallet (API.md): balance, statement (JSON or CSV), top-ups.

Visibility is ``people.roles.centre_scope``, through ``selectors.centre_visible``: a
centre's operators and supervisor see their own wallet, a district nodal officer those of
the district's centres, finance, auditors and administrators every wallet. A role that sees
no wallet (a department officer) gets 403; a centre outside the user's scope is 404, as if
it did not exist.
Creating, approving and rejecting a top-up take an ``Idempotency-Key``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from ninja import Query, Router, Schema
from pydantic import Field

from sahayata.api.auth import bearer
from sahayata.api.idempotency import run_idempotent
from sahayata.api.main import IDEMPOTENT
from sahayata.api.schemas import MAX_OFFSET, PaiseIn
from sahayata.core.errors import InvalidInput, NotFound
from sahayata.people.models import Role, User
from sahayata.people.roles import centre_scope, staff_user
from sahayata.places.models import Centre
from sahayata.wallet import selectors
from sahayata.wallet.errors import WalletForbidden
from sahayata.wallet.models import TopUp
from sahayata.wallet.services import topup_approve, topup_reject, topup_request

router = Router(tags=["wallet"])

MAX_STATEMENT_DAYS = 366
# The statement's ?format=csv answer, beside its JSON (the error responses are derived).
CSV_TOO: dict[str, Any] = {
    "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
}


def _is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)


def _visible_centre(user: User, code: str, *, roles: tuple[str, ...] | None = None) -> Centre:
    """The centre whose wallet ``user`` may see: 403 for a role that sees no wallet (or is
    not one of ``roles``), 404 for a centre outside the user's scope."""
    if centre_scope(user).nothing or (roles is not None and not user.has_role(*roles)):
        raise WalletForbidden()
    centre = selectors.centre_visible(user=user, code=code)
    if centre is None:
        raise NotFound()
    return centre


class WalletOut(Schema):
    centre: str
    balance_paise: int
    held_paise: int
    available_paise: int


class EntryOut(Schema):
    transfer_id: uuid.UUID
    at: dt.datetime
    kind: str
    reference: str
    amount_paise: int
    balance_paise: int


class StatementOut(Schema):
    centre: str
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    opening_balance_paise: int
    closing_balance_paise: int
    items: list[EntryOut]
    count: int


class StatementQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    format: str = Field("json", pattern="^(json|csv)$")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class TopUpIn(Schema):
    amount_paise: PaiseIn
    bank_reference: str = Field(min_length=1, max_length=64)


class RejectIn(Schema):
    reason: str = Field("", max_length=200)


class TopUpOut(Schema):
    id: uuid.UUID
    centre: str
    status: str
    amount_paise: int
    bank_reference: str


def topup_body(topup: TopUp) -> dict[str, Any]:
    return {
        "id": str(topup.id),
        "centre": topup.centre.code,
        "status": topup.status,
        "amount_paise": topup.amount_paise,
        "bank_reference": topup.bank_reference,
    }


@router.get(
    "/centres/{code}/wallet",
    auth=bearer,
    response={200: WalletOut},
    summary="A centre's wallet: balance, held and available",
)
def wallet_get(request: HttpRequest, code: str) -> dict[str, Any]:
    centre = _visible_centre(_user(request), code)
    wallet = selectors.centre_wallet(centre=centre)
    if wallet is None:
        return {"centre": centre.code, "balance_paise": 0, "held_paise": 0, "available_paise": 0}
    balance = selectors.wallet_balance(account=wallet)
    return {
        "centre": centre.code,
        "balance_paise": balance.balance_paise,
        "held_paise": balance.held_paise,
        "available_paise": balance.available_paise,
    }


def statement_range(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """Default: the last 30 days up to today (Asia/Kolkata). At most a year at a time."""
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - dt.timedelta(days=29)
    if date_from > date_to:
        raise InvalidInput(details={"fields": [{"field": "from", "problem": "after_to"}]})
    if (date_to - date_from).days >= MAX_STATEMENT_DAYS:
        raise InvalidInput(details={"fields": [{"field": "from", "problem": "range_too_long"}]})
    return date_from, date_to


STATEMENT_CSV_COLUMNS = [
    "at",
    "kind",
    "reference",
    "amount_paise",  # the change of the posted balance (0 for a hold or its refund)
    "balance_paise",
    "transfer_id",
    "entry",  # hold, post, refund, expiry, credit, debit
    "application_no",
    "held_change_paise",
    "held_paise",
    "available_paise",
    "description_bn",
    "description_en",
]


def statement_csv(centre: Centre, lines: list[selectors.StatementLine]) -> HttpResponse:
    """Every line (holds, posts to the payee, refunds), newest first as given, described
    in Bengali and English."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STATEMENT_CSV_COLUMNS)
    for line in lines:
        descriptions = []
        for lang in ("bn", "en"):
            with translation.override(lang):
                descriptions.append(line.description())
        writer.writerow(
            [
                timezone.localtime(line.at).isoformat(),
                line.kind,
                line.reference,
                line.posted_change_paise,
                line.balance_paise,
                line.transfer_id,
                line.movement,
                line.application_no,
                line.held_change_paise,
                line.held_paise,
                line.available_paise,
                *descriptions,
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wallet-{centre.code}.csv"'
    return response


@router.get(
    "/centres/{code}/wallet/statement",
    auth=bearer,
    response={200: StatementOut},
    by_alias=True,
    openapi_extra=CSV_TOO,
    summary="Statement with a running balance (newest first); ?format=csv for CSV",
)
def wallet_statement(request: HttpRequest, code: str, query: Query[StatementQuery]) -> Any:
    centre = _visible_centre(_user(request), code)
    date_from, date_to = statement_range(query.date_from, query.date_to)
    wallet = selectors.centre_wallet(centre=centre)
    if query.format == "csv":
        lines = (
            selectors.wallet_statement_lines(account=wallet, date_from=date_from, date_to=date_to)
            if wallet is not None
            else []
        )
        return statement_csv(centre, lines[::-1])
    entries = (
        selectors.wallet_statement(account=wallet, date_from=date_from, date_to=date_to)
        if wallet is not None
        else []
    )
    entries.reverse()  # newest first
    opening = (
        selectors.balance_before(
            account=wallet,
            moment=timezone.make_aware(dt.datetime.combine(date_from, dt.time.min)),
        )
        if wallet is not None
        else 0
    )
    closing = entries[0].balance_paise if entries else opening
    page = entries[query.offset : query.offset + query.limit]
    return {
        "centre": centre.code,
        "from": date_from,
        "to": date_to,
        "opening_balance_paise": opening,
        "closing_balance_paise": closing,
        "items": [entry.__dict__ for entry in page],
        "count": len(entries),
    }


@router.post(
    "/centres/{code}/wallet/topups",
    auth=bearer,
    response={201: TopUpOut},
    openapi_extra=IDEMPOTENT,
    summary="Request a top-up (no money moves until finance approves)",
)
def topups_create(request: HttpRequest, code: str, body: TopUpIn) -> tuple[int, Any]:
    user = _user(request)

    def handle() -> tuple[int, Any]:
        centre = _visible_centre(user, code, roles=(Role.OPERATOR, Role.SUPERVISOR))
        topup = topup_request(
            centre=centre,
            amount_paise=body.amount_paise,
            bank_reference=body.bank_reference,
            requested_by=user,
        )
        return 201, topup_body(topup)

    return run_idempotent(request, body.dict(), handle)


@router.post(
    "/topups/{topup_id}/approve",
    auth=bearer,
    response={200: TopUpOut},
    openapi_extra=IDEMPOTENT,
    summary="Approve a top-up: credits the wallet exactly once (maker-checker)",
)
def topups_approve(request: HttpRequest, topup_id: str) -> tuple[int, Any]:
    user = _user(request)

    def handle() -> tuple[int, Any]:
        return 200, topup_body(topup_approve(topup_id=topup_id, approved_by=user))

    return run_idempotent(request, {}, handle)


@router.post(
    "/topups/{topup_id}/reject",
    auth=bearer,
    response={200: TopUpOut},
    openapi_extra=IDEMPOTENT,
    summary="Reject a top-up",
)
def topups_reject(
    request: HttpRequest, topup_id: str, body: RejectIn | None = None
) -> tuple[int, Any]:
    user = _user(request)
    if request.body.strip() and not _is_json_object(request.body):
        # The body is optional, but a body that is not a JSON object is a mistake, not "none".
        raise InvalidInput(details={"fields": [{"field": "body", "problem": "object_expected"}]})
    reason = body.reason if body is not None else ""

    def handle() -> tuple[int, Any]:
        return 200, topup_body(topup_reject(topup_id=topup_id, rejected_by=user, reason=reason))

    return run_idempotent(request, {"reason": reason}, handle)


class TopUpListOut(Schema):
    items: list[TopUpOut]
    count: int


@router.get(
    "/topups",
    auth=bearer,
    response={200: TopUpListOut},
    summary="Top-ups awaiting a decision (finance, auditors and administrators)",
)
def topups_list(request: HttpRequest, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    user = _user(request)
    if not centre_scope(user).everything:
        raise WalletForbidden()
    if not 1 <= limit <= 500 or not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput()
    pending = selectors.topups_pending(user=user)
    return {
        "items": [topup_body(t) for t in pending[offset : offset + limit]],
        "count": pending.count(),
    }
