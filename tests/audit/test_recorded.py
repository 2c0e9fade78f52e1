"""Every write leaves its audit event, with its actor, in the write's own transaction;
the counter's path and the batch paths record the same events."""

from __future__ import annotations

import pytest
from django.test import Client

from sahayata.applications.models import Holiday
from sahayata.applications.services import ActionNotAllowed, application_act
from sahayata.audit.models import AuditEvent
from sahayata.catalogue.services import service_publish
from sahayata.certificates.services import certificate_revoke
from sahayata.people.models import ApiToken, Role
from sahayata.people.services import api_token_revoke, citizen_register, user_create
from sahayata.people.tokens import api_token_create
from sahayata.wallet.errors import TopUpNotPending
from sahayata.wallet.services import topup_approve, topup_reject, topup_request
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.people import UserFactory, valid_aadhaar
from tests.factories.places import CentreFactory

pytestmark = pytest.mark.django_db


def _trail(object_type: str, object_id: object) -> list[tuple[str, str, str]]:
    events = AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
    return list(events.order_by("id").values_list("action", "actor_kind", "actor_username"))


def test_every_step_of_an_application_is_recorded_with_its_actor() -> None:
    at = counter()
    service = certificate_service()
    application = submitted(at=at, service=service)
    verifier, approver = officer_of(service), officer_of(service)
    application_act(application=application, action="return", actor=verifier, comment="Blank")
    application_act(
        application=application,
        action="resubmit",
        actor=at.operator,
        fields={"father_name": "Ramesh Chandra Das"},
    )
    application_act(application=application, action="verify", actor=verifier)
    application_act(application=application, action="approve", actor=approver)
    assert _trail("application", application.number) == [
        ("application.submit", "user", at.operator.username),
        ("application.return", "user", verifier.username),
        ("application.resubmit", "user", at.operator.username),
        ("application.verify", "user", verifier.username),
        ("application.approve", "user", approver.username),
    ]
    submit = AuditEvent.objects.get(action="application.submit")
    assert submit.after == {"status": "pending_verification", "fee_paise": 3_000}
    returned = AuditEvent.objects.get(action="application.return")
    assert (returned.before, returned.after) == (
        {"status": "pending_verification"},
        {"status": "returned", "comment": "Blank"},
    )
    certificate = application.certificate
    assert _trail("certificate", certificate.pk) == [
        ("certificate.issue", "user", approver.username)
    ]
    certificate_revoke(certificate=certificate, actor=approver, reason="Issued in error")
    assert _trail("certificate", certificate.pk)[-1] == (
        "certificate.revoke",
        "user",
        approver.username,
    )


def test_a_refused_step_leaves_no_event() -> None:
    at = counter()
    service = certificate_service()
    application = submitted(at=at, service=service)
    before = AuditEvent.objects.count()
    with pytest.raises(ActionNotAllowed):
        application_act(application=application, action="approve", actor=at.operator)
    assert AuditEvent.objects.count() == before


def test_top_ups_and_their_decisions_are_recorded() -> None:
    centre = CentreFactory()
    operator = UserFactory(role=Role.OPERATOR, centre=centre)
    finance, finance2 = UserFactory(role=Role.FINANCE), UserFactory(role=Role.FINANCE)
    first = topup_request(
        centre=centre, amount_paise=10_000, bank_reference="UTR1", requested_by=operator
    )
    second = topup_request(
        centre=centre, amount_paise=20_000, bank_reference="UTR2", requested_by=operator
    )
    topup_approve(topup_id=first.pk, approved_by=finance)
    topup_reject(topup_id=second.pk, rejected_by=finance2, reason="No such credit")
    assert _trail("topup", first.pk) == [
        ("topup.request", "user", operator.username),
        ("topup.approve", "user", finance.username),
    ]
    assert _trail("topup", second.pk) == [
        ("topup.request", "user", operator.username),
        ("topup.reject", "user", finance2.username),
    ]
    approved = AuditEvent.objects.get(action="topup.approve")
    assert approved.before == {"status": "requested"}
    assert approved.after["status"] == "credited"
    assert approved.after["amount_paise"] == 10_000


def test_a_refused_top_up_decision_leaves_no_event() -> None:
    centre = CentreFactory()
    operator = UserFactory(role=Role.OPERATOR, centre=centre)
    topup = topup_request(
        centre=centre, amount_paise=10_000, bank_reference="UTR3", requested_by=operator
    )
    topup_approve(topup_id=topup.pk, approved_by=UserFactory(role=Role.FINANCE))
    with pytest.raises(TopUpNotPending):
        topup_approve(topup_id=topup.pk, approved_by=UserFactory(role=Role.FINANCE))
    assert [a for a, _k, _u in _trail("topup", topup.pk)] == ["topup.request", "topup.approve"]


def test_users_tokens_citizens_and_catalogue_versions_are_recorded() -> None:
    admin = UserFactory(role=Role.ADMIN)
    user = user_create(
        username="new-finance", role=Role.FINANCE, password="a long passphrase 42", actor=admin
    )
    event = AuditEvent.objects.get(action="user.create")
    assert (event.actor_username, event.after["role"]) == (admin.username, "finance")
    assert "password" not in str(event.after)
    api_token_create(user=user, actor=admin)
    token = ApiToken.objects.get(user=user)
    api_token_revoke(token=token, actor=admin)
    assert [a for a, _k, _u in _trail("api_token", token.pk)] == [
        "api_token.create",
        "api_token.revoke",
    ]
    aadhaar = valid_aadhaar(7)
    citizen = citizen_register(
        name_en="Mita Das", mobile="9830012345", aadhaar=aadhaar, actor=admin
    )
    registered = AuditEvent.objects.get(action="citizen.register", object_id=str(citizen.pk))
    stored = str(registered.after)
    assert aadhaar not in stored and citizen.aadhaar_hmac not in stored
    assert registered.after["aadhaar_masked"] == citizen.aadhaar_masked
    service = certificate_service()
    service.time_limit_days = 20
    service.save()
    service_publish(service=service, actor=admin)
    published = AuditEvent.objects.filter(action="service.publish", object_id=service.code)
    assert published.last().after["version"] == 2
    assert published.last().actor_username == admin.username


def test_admin_edits_of_holidays_are_recorded_with_before_and_after(client: Client) -> None:
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    response = client.post(
        "/admin/applications/holiday/add/",
        {"date": "2030-06-14", "name_en": "Christmas", "name_bn": "বড়দিন"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    holiday = Holiday.objects.get(date="2030-06-14")
    client.post(
        f"/admin/applications/holiday/{holiday.pk}/change/",
        {"date": "2030-06-14", "name_en": "Christmas Day", "name_bn": "বড়দিন"},
    )
    client.post(f"/admin/applications/holiday/{holiday.pk}/delete/", {"post": "yes"})
    trail = AuditEvent.objects.filter(object_type="holiday").order_by("id")
    assert [e.action for e in trail] == [
        "holiday.admin_add",
        "holiday.admin_change",
        "holiday.admin_delete",
    ]
    change = trail[1]
    assert (change.before["name_en"], change.after["name_en"]) == ("Christmas", "Christmas Day")
    assert change.actor_username == admin.username
    assert change.ip == "127.0.0.1"
    assert change.request_id


def test_an_api_request_names_its_token_and_request_id(client: Client) -> None:
    at = counter()
    service = certificate_service()
    token = api_token_create(user=at.operator)
    response = client.post(
        "/api/v1/applications",
        {
            "centre_code": at.centre.code,
            "service_code": service.code,
            "citizen": {"name": "Rina Roy", "mobile": "9830011111"},
            "fields": {"father_name": "Ramesh Das"},
        },
        content_type="application/json",
        headers={
            "authorization": f"Bearer {token}",
            "x-request-id": "req-audit-0001",
            "idempotency-key": "audit-test-1",
        },
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action="application.submit")
    token_id = ApiToken.objects.get(user=at.operator).pk
    assert (event.actor_kind, event.api_token_id, event.request_id) == (
        "token",
        token_id,
        "req-audit-0001",
    )
    assert AuditEvent.objects.get(action="citizen.register").api_token_id == token_id


def test_a_token_looked_up_outside_a_request_names_no_later_event() -> None:
    from django.db import transaction

    from sahayata.audit.services import event_record
    from sahayata.people.tokens import user_for_token

    operator = UserFactory(role=Role.OPERATOR)
    assert user_for_token(api_token_create(user=operator)) == operator
    with transaction.atomic():
        event = event_record(
            action="holiday.create", object_type="holiday", object_id=1, actor=operator
        )
    assert (event.actor_kind, event.api_token_id) == ("user", None)
