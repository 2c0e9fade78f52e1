"""JSON API of applications: submit, read, act, and public tracking (see API.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from sahayata.api.auth import bearer
from sahayata.api.idempotency import run_idempotent
from sahayata.api.main import IDEMPOTENT, RATE_LIMITED
from sahayata.api.schemas import ErrorOut
from sahayata.applications import selectors
from sahayata.applications.models import Application
from sahayata.applications.ratelimit import lookup_guard, lookup_missed
from sahayata.applications.services import (
    ApplicationNotFound,
    application_act,
    application_next_actions,
    application_submit,
    citizen_find_or_register,
    local_today,
)
from sahayata.applications.workflows import state_label
from sahayata.audit.services import events_gathered
from sahayata.catalogue.selectors import service_get
from sahayata.core.errors import NotFound
from sahayata.people import policy
from sahayata.people.models import User
from sahayata.people.roles import staff_user
from sahayata.people.services import aadhaar_hash
from sahayata.wallet.selectors import centre_visible

router = Router(tags=["applications"])


# Text without control characters (a NUL byte cannot be stored in PostgreSQL); a comment
# may have line breaks. Codes are letters, digits, '_' and '-'.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
CODE = r"^[A-Za-z0-9_-]+$"


class CitizenIn(Schema):
    name: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    mobile: str = Field(min_length=10, max_length=14, pattern=ONE_LINE)
    name_bn: str = Field("", max_length=200, pattern=ONE_LINE)
    email: str = Field("", max_length=254, pattern=ONE_LINE)
    # Optional; when given it must be a valid 12-digit number (else 422 invalid_aadhaar),
    # and only its mask and keyed hash are kept.
    aadhaar: str = Field("", max_length=20, pattern=ONE_LINE)


class ApplicationIn(Schema):
    centre_code: str = Field(min_length=1, max_length=16, pattern=CODE)
    service_code: str = Field(min_length=1, max_length=40, pattern=CODE)
    citizen: CitizenIn
    fields: dict[str, Any] = Field(default_factory=dict)


class SubmittedOut(Schema):
    application_no: str
    status: str
    fee_paise: int
    due_date: dt.date
    acknowledgement_url: str


class ActionIn(Schema):
    action: str = Field(min_length=1, max_length=40, pattern=CODE)
    comment: str = Field("", max_length=2000, pattern=MULTI_LINE)
    fields: dict[str, Any] | None = None


class FeeOut(Schema):
    code: str
    name_en: str
    name_bn: str
    payee: str
    amount_paise: int


class HistoryOut(Schema):
    action: str
    from_: str = Field(alias="from")
    to: str
    actor: str
    comment: str
    at: dt.datetime


class ApplicationOut(Schema):
    application_no: str
    status: str
    status_label: str
    service_code: str
    service_version: int
    workflow: str
    centre_code: str
    fee_paise: int
    fees: list[FeeOut]
    hold: str
    submitted_at: dt.datetime
    due_date: dt.date
    overdue: bool
    escalated: bool
    certificate_id: str | None
    log_salt: str
    next_actions: list[str]
    history: list[HistoryOut]


def _user(request: HttpRequest) -> User:
    return staff_user(request.user)


def application_body(application: Application, user: User) -> dict[str, Any]:
    certificate = getattr(application, "certificate", None)
    return {
        "application_no": application.number,
        "status": application.status,
        "status_label": str(state_label(application.status)),
        "service_code": application.service.code,
        "service_version": application.service_version,
        "workflow": f"{application.workflow_code}@{application.workflow_version}",
        "centre_code": application.centre.code,
        "fee_paise": application.fee_paise,
        "fees": [
            {
                "code": fee.code,
                "name_en": fee.name_en,
                "name_bn": fee.name_bn,
                "payee": fee.payee,
                "amount_paise": fee.amount_paise,
            }
            for fee in application.fees.all()
        ],
        "hold": application.hold,
        "submitted_at": application.submitted_at,
        "due_date": application.due_date,
        "overdue": application.is_open and local_today() > application.due_date,
        "escalated": application.escalated_at is not None,
        "certificate_id": certificate.id if certificate is not None else None,
        # Opens the application's leaves in the transparency log: only for who may see it.
        "log_salt": application.log_salt,
        "next_actions": [
            a.code for a in application_next_actions(application=application, user=user)
        ],
        "history": [
            {
                "action": entry.action,
                "from": entry.from_state,
                "to": entry.to_state,
                "actor": entry.actor.username if entry.actor else entry.actor_label,
                "comment": entry.comment,
                "at": entry.at,
            }
            for entry in application.history.select_related("actor").order_by("at", "pk")
        ],
    }


@router.post(
    "/applications",
    auth=bearer,
    response={201: SubmittedOut, 404: ErrorOut},
    openapi_extra=IDEMPOTENT,
    summary="Submit an application (holds a paid service's fee)",
)
def applications_create(request: HttpRequest, body: ApplicationIn) -> tuple[int, Any]:
    user = _user(request)

    # A role that may never submit is told so (403); another centre's code is 404 below.
    policy.require(user, "application.submit")

    def handle() -> tuple[int, Any]:
        # An operator sees only its own centre: any other code is "not found".
        centre = centre_visible(user=user, code=body.centre_code)
        if centre is None:
            raise NotFound()
        service = service_get(code=body.service_code, with_heads=False)
        # A new citizen's audit event goes in one insert with the submission's.
        with events_gathered():
            citizen = citizen_find_or_register(
                name=body.citizen.name,
                mobile=body.citizen.mobile,
                name_bn=body.citizen.name_bn,
                aadhaar=body.citizen.aadhaar,
                actor=user,
            )
            application = application_submit(
                operator=user,
                centre=centre,
                service=service,
                citizen=citizen,
                fields=body.fields,
                contact_email=body.citizen.email,
            )
        return 201, {
            "application_no": application.number,
            "status": application.status,
            "fee_paise": application.fee_paise,
            "due_date": application.due_date,
            "acknowledgement_url": request.build_absolute_uri(
                reverse("applications:acknowledgement", args=[application.number])
            ),
        }

    # The request's fingerprint is kept with the key: of an Aadhaar number, only its keyed hash.
    payload = body.dict()
    if body.citizen.aadhaar:
        payload["citizen"]["aadhaar"] = aadhaar_hash(body.citizen.aadhaar.strip())
    return run_idempotent(request, payload, handle)


@router.get(
    "/applications/{application_no}",
    auth=bearer,
    response=ApplicationOut,
    by_alias=True,
    summary="One application",
)
def applications_get(request: HttpRequest, application_no: str) -> dict[str, Any]:
    user = _user(request)
    application = selectors.application_get_for(user=user, number=application_no)
    if application is None:
        raise ApplicationNotFound()
    return application_body(application, user)


@router.post(
    "/applications/{application_no}/actions",
    auth=bearer,
    response=ApplicationOut,
    by_alias=True,
    openapi_extra=IDEMPOTENT,
    summary="Take a workflow action (approve posts the fee, reject refunds it)",
)
def applications_act(request: HttpRequest, application_no: str, body: ActionIn) -> tuple[int, Any]:
    user = _user(request)
    # A role the policy gives no step (a nodal officer, finance, the auditor) is told so (403).
    policy.require(user, "application.act")

    def handle() -> tuple[int, Any]:
        application = selectors.application_get_for(user=user, number=application_no)
        if application is None:
            raise ApplicationNotFound()
        application_act(
            application=application,
            action=body.action,
            actor=user,
            comment=body.comment,
            fields=body.fields,
        )
        application.refresh_from_db()
        return 200, application_body(application, user)

    return run_idempotent(request, body.dict(), handle)


class TrackQuery(Schema):
    application_no: str = Field(min_length=1, max_length=40, pattern=ONE_LINE)
    mobile: str = Field(min_length=1, max_length=16, pattern=ONE_LINE)


class TrackOut(Schema):
    application_no: str
    status: str
    status_label: str
    service_code: str
    service_name_en: str
    service_name_bn: str
    submitted_on: dt.date
    due_date: dt.date
    fee_paise: int
    certificate_id: str | None


def track_body(application: Application) -> dict[str, Any]:
    certificate = getattr(application, "certificate", None)
    return {
        "application_no": application.number,
        "status": application.status,
        "status_label": state_label(application.status),
        "service_code": application.service.code,
        "service_name_en": application.service.name_en,
        "service_name_bn": application.service.name_bn,
        "submitted_on": application.submitted_on,
        "due_date": application.due_date,
        "fee_paise": application.fee_paise,
        "certificate_id": certificate.id if certificate is not None else None,
    }


@router.get(
    "/track",
    auth=None,
    response={200: TrackOut, 404: ErrorOut},
    openapi_extra=RATE_LIMITED,
    summary="Public tracking (rate-limited)",
)
def track(request: HttpRequest, query: Query[TrackQuery]) -> dict[str, Any]:
    return _track(request, query)


@router.post(
    "/track",
    auth=None,
    response={200: TrackOut, 404: ErrorOut},
    openapi_extra=RATE_LIMITED,
    summary="Public tracking with the mobile in the body, out of URLs and logs (rate-limited)",
)
def track_post(request: HttpRequest, body: TrackQuery) -> dict[str, Any]:
    return _track(request, body)


def _track(request: HttpRequest, query: TrackQuery) -> dict[str, Any]:
    lookup_guard(request, scope="track", subject=query.application_no)
    application = selectors.application_track(number=query.application_no, mobile=query.mobile)
    if application is None:
        lookup_missed(request, scope="track", subject=query.application_no)
        raise ApplicationNotFound()
    return track_body(application)
