"""Top-ups with maker-checker: requested by the centre, credited once by another finance user."""

from __future__ import annotations

import pytest

from sahayata.core.ids import uuid7
from sahayata.wallet import errors
from sahayata.wallet.models import TopUp, Transfer
from sahayata.wallet.selectors import centre_wallet, wallet_balance
from sahayata.wallet.services import topup_approve, topup_reject, topup_request
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory
from tests.factories.wallet import TopUpFactory

pytestmark = pytest.mark.django_db


def test_request_then_approve_credits_exactly_once() -> None:
    centre = CentreFactory()
    operator = UserFactory(role="operator", centre=centre)
    finance = UserFactory(role="finance")
    topup = topup_request(
        centre=centre, amount_paise=250_000, bank_reference="utr-123456", requested_by=operator
    )
    assert topup.status == TopUp.Status.REQUESTED
    assert topup.bank_reference == "UTR-123456"
    wallet = centre_wallet(centre=centre)
    assert wallet is not None
    assert wallet_balance(account=wallet).balance_paise == 0  # nothing moves at request

    approved = topup_approve(topup_id=topup.id, approved_by=finance)
    assert approved.status == TopUp.Status.CREDITED
    assert wallet_balance(account=wallet).balance_paise == 250_000
    with pytest.raises(errors.TopUpNotPending) as caught:
        topup_approve(topup_id=topup.id, approved_by=UserFactory(role="finance"))
    assert caught.value.status == 409
    with pytest.raises(errors.TopUpNotPending):
        topup_reject(topup_id=topup.id, rejected_by=finance, reason="no credit at bank")
    assert wallet_balance(account=wallet).balance_paise == 250_000
    assert Transfer.objects.filter(code="topup", credit_account=wallet).count() == 1


def test_requester_may_not_approve_and_only_finance_approves() -> None:
    finance = UserFactory(role="finance")
    topup = TopUpFactory()
    with pytest.raises(errors.WalletForbidden):
        topup_approve(topup_id=topup.id, approved_by=topup.requested_by)
    with pytest.raises(errors.WalletForbidden):
        topup_approve(topup_id=topup.id, approved_by=UserFactory(role="auditor"))
    # A finance user who requested it (through the model, as an import might) cannot approve.
    own = TopUpFactory(requested_by=finance)
    with pytest.raises(errors.SamePerson) as caught:
        topup_approve(topup_id=own.id, approved_by=finance)
    assert caught.value.code == "same_person"
    assert caught.value.status == 403
    own.refresh_from_db()
    assert own.status == TopUp.Status.REQUESTED


def test_reject() -> None:
    topup = TopUpFactory()
    finance = UserFactory(role="finance")
    with pytest.raises(errors.WalletForbidden):
        topup_reject(topup_id=topup.id, rejected_by=topup.requested_by)
    for blank in ("", "   "):  # the centre and the auditor must read why
        with pytest.raises(errors.ReasonRequired) as caught:
            topup_reject(topup_id=topup.id, rejected_by=finance, reason=blank)
        assert (caught.value.code, caught.value.status) == ("reason_required", 422)
    assert TopUp.objects.get(pk=topup.pk).status == TopUp.Status.REQUESTED
    rejected = topup_reject(topup_id=topup.id, rejected_by=finance, reason="no credit at bank")
    assert rejected.status == TopUp.Status.REJECTED
    assert rejected.reject_reason == "no credit at bank"
    with pytest.raises(errors.TopUpNotPending):
        topup_approve(topup_id=topup.id, approved_by=finance)
    assert not Transfer.objects.exists()


def test_duplicate_bank_reference_is_refused() -> None:
    centre = CentreFactory()
    operator = UserFactory(role="operator", centre=centre)
    topup_request(centre=centre, amount_paise=100, bank_reference="UTR0001", requested_by=operator)
    with pytest.raises(errors.DuplicateBankReference) as caught:
        topup_request(
            centre=centre, amount_paise=200, bank_reference="utr0001", requested_by=operator
        )
    assert caught.value.status == 409
    assert TopUp.objects.count() == 1


@pytest.mark.parametrize("amount", [0, -5, 2.5, True, 10**15 + 1, "100"])
def test_bad_amounts(amount: object) -> None:
    centre = CentreFactory()
    operator = UserFactory(role="operator", centre=centre)
    with pytest.raises(errors.InvalidAmount):
        topup_request(
            centre=centre,
            amount_paise=amount,
            bank_reference="UTR0002",
            requested_by=operator,  # type: ignore[arg-type]
        )
    assert not TopUp.objects.exists()


@pytest.mark.parametrize("reference", ["", "ab", "has space", "x" * 65, None, 12345])
def test_bad_bank_references(reference: object) -> None:
    centre = CentreFactory()
    operator = UserFactory(role="operator", centre=centre)
    with pytest.raises(errors.InvalidBankReference):
        topup_request(
            centre=centre,
            amount_paise=100,
            bank_reference=reference,
            requested_by=operator,  # type: ignore[arg-type]
        )


def test_only_the_centres_own_staff_request() -> None:
    centre = CentreFactory()
    other = UserFactory(role="operator")  # another centre
    for user in (other, UserFactory(role="finance")):
        with pytest.raises(errors.WalletForbidden):
            topup_request(centre=centre, amount_paise=100, bank_reference="UTR9", requested_by=user)
    supervisor = UserFactory(role="supervisor", centre=centre)
    assert topup_request(
        centre=centre, amount_paise=100, bank_reference="UTR0009", requested_by=supervisor
    ).status == ("requested")


def test_unknown_topup() -> None:
    finance = UserFactory(role="finance")
    with pytest.raises(errors.TopUpNotFound):
        topup_approve(topup_id=uuid7(), approved_by=finance)
    with pytest.raises(errors.TopUpNotFound):
        topup_reject(topup_id="not-a-uuid", rejected_by=finance)
