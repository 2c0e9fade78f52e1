"""Officer decisions move the money: approve posts, reject voids; return and resubmit."""

from __future__ import annotations

import pytest

from sahayata.applications.models import HoldState
from sahayata.applications.services import (
    ActionForbidden,
    ActionNotAllowed,
    ApplicationNotFound,
    CommentRequired,
    SameOfficer,
    application_act,
    application_next_actions,
)
from sahayata.wallet.models import Account, AccountKind
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import certificate_service, counter, officer_of, submitted
from tests.factories.catalogue import paid_service
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def _credits(account: Account) -> int:
    from sahayata.wallet.selectors import account_totals

    return account_totals(account=account).credits_posted


def test_approve_posts_the_hold_to_the_payee() -> None:
    at = counter(amount_paise=10_000)
    service = paid_service(amount_paise=4_000)
    application = submitted(at=at, service=service)
    officer = officer_of(service)
    assert [a.code for a in application_next_actions(application=application, user=officer)] == [
        "approve",
        "reject",
        "return",
    ]
    application_act(application=application, action="approve", actor=officer)
    application.refresh_from_db()
    assert (application.status, application.hold, application.is_open) == (
        "approved",
        HoldState.POSTED,
        False,
    )
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.held_paise) == (6_000, 0)
    assert _credits(Account.objects.get(kind=AccountKind.TREASURY)) == 4_000
    history = list(application.history.values_list("action", "actor_id"))
    assert history == [("submit", at.operator.pk), ("approve", officer.pk)]


def test_reject_voids_and_refunds() -> None:
    at = counter(amount_paise=10_000)
    service = paid_service(amount_paise=4_000)
    application = submitted(at=at, service=service)
    officer = officer_of(service)
    with pytest.raises(CommentRequired):
        application_act(application=application, action="reject", actor=officer)
    application_act(application=application, action="reject", actor=officer, comment="Not eligible")
    application.refresh_from_db()
    assert (application.status, application.hold) == ("rejected", HoldState.VOIDED)
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.held_paise, balance.available_paise) == (
        10_000,
        0,
        10_000,
    )
    with pytest.raises(ActionNotAllowed):
        application_act(application=application, action="approve", actor=officer)


def test_return_for_correction_and_resubmit_then_verify_and_approve() -> None:
    at = counter()
    service = certificate_service()
    application = submitted(at=at, service=service)
    officer = officer_of(service)
    assert application.status == "pending_verification"
    application_act(
        application=application, action="return", actor=officer, comment="Father's name blank"
    )
    application.refresh_from_db()
    assert application.status == "returned"
    assert application.hold == HoldState.HELD  # the fee stays held while it is corrected
    # The officer cannot resubmit; the centre's operator can, with corrected fields.
    with pytest.raises(ActionForbidden):
        application_act(application=application, action="resubmit", actor=officer)
    application_act(
        application=application,
        action="resubmit",
        actor=at.operator,
        fields={"father_name": "Ramesh Chandra Das"},
    )
    application.refresh_from_db()
    assert application.status == "pending_verification"
    assert application.fields["father_name"] == "Ramesh Chandra Das"
    application_act(application=application, action="verify", actor=officer)
    application_act(application=application, action="approve", actor=officer_of(service))
    application.refresh_from_db()
    assert (application.status, application.hold) == ("approved", HoldState.POSTED)
    assert application.certificate.id
    actions = list(application.history.values_list("action", flat=True))
    assert actions == ["submit", "return", "resubmit", "verify", "approve"]


def test_other_department_officer_and_other_centre_operator_get_not_found() -> None:
    at = counter()
    service = paid_service()
    application = submitted(at=at, service=service)
    stranger_officer = UserFactory(role="officer")
    stranger_operator = UserFactory(role="operator")
    for user in (stranger_officer, stranger_operator):
        with pytest.raises(ApplicationNotFound):
            application_act(application=application, action="approve", actor=user)
    assert application_next_actions(application=application, user=stranger_officer) == []


def test_the_officer_who_verified_may_not_approve() -> None:
    at = counter()
    service = certificate_service()
    application = submitted(at=at, service=service)
    verifier, approver = officer_of(service), officer_of(service)
    application_act(application=application, action="verify", actor=verifier)
    with pytest.raises(SameOfficer) as caught:
        application_act(application=application, action="approve", actor=verifier)
    assert (caught.value.code, caught.value.status) == ("same_officer", 403)
    application.refresh_from_db()
    assert (application.status, application.hold) == ("pending_approval", HoldState.HELD)
    # The verifier may still reject or return it; only the approval needs a second officer.
    offered = {
        officer: [a.code for a in application_next_actions(application=application, user=officer)]
        for officer in (verifier, approver)
    }
    assert offered == {verifier: ["reject", "return"], approver: ["approve", "reject", "return"]}
    application_act(application=application, action="approve", actor=approver)
    application.refresh_from_db()
    assert (application.status, application.hold) == ("approved", HoldState.POSTED)
