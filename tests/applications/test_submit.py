"""Submitting at the counter: numbers, holds, insufficient funds, validation, tokens."""

from __future__ import annotations

import pytest

from sahayata.applications.models import Application, HoldState
from sahayata.applications.services import InvalidFields
from sahayata.wallet.errors import InsufficientFunds
from sahayata.wallet.selectors import wallet_balance
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import free_service, paid_service

pytestmark = pytest.mark.django_db


def test_free_service_gets_a_number_and_no_hold() -> None:
    at = counter(amount_paise=0)
    application = submitted(at=at, service=free_service())
    assert application.number.startswith(f"BSK-{at.centre.code}-")
    assert application.number.endswith("-000001")
    assert application.fee_paise == 0
    assert application.hold == HoldState.NONE
    assert application.status == "pending_approval"
    assert application.history.get().action == "submit"


def test_paid_service_holds_the_fee() -> None:
    at = counter(amount_paise=10_000)
    application = submitted(at=at, service=paid_service(amount_paise=4_000))
    assert application.hold == HoldState.HELD
    assert application.fee_paise == 4_000
    balance = wallet_balance(account=at.wallet)
    assert (balance.balance_paise, balance.held_paise, balance.available_paise) == (
        10_000,
        4_000,
        6_000,
    )


def test_insufficient_funds_creates_nothing() -> None:
    at = counter(amount_paise=3_999)
    service = paid_service(amount_paise=4_000)
    with pytest.raises(InsufficientFunds) as caught:
        submitted(at=at, service=service)
    assert caught.value.code == "insufficient_funds"
    assert Application.objects.count() == 0
    # The number was not used up: the next success takes 000001.
    at2_app = submitted(at=at, service=free_service())
    assert at2_app.number.endswith("-000001")


def test_bad_fields_are_refused_with_codes() -> None:
    at = counter()
    service = paid_service()
    with pytest.raises(InvalidFields) as caught:
        submitted(at=at, service=service, fields={"plot_no": "", "extra": "x"})
    problems = {(p["field"], p["problem"]) for p in caught.value.details["fields"]}
    assert problems == {("plot_no", "required"), ("extra", "unknown_field")}
    assert Application.objects.count() == 0
