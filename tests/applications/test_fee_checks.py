"""``ledger_check`` reconciles every application's fee lines and hold state with its holds,
posts and voids in the wallet (each edit below is a database writer's, not a service's)."""

from __future__ import annotations

import pytest

from sahayata.applications.checks import fees_check
from sahayata.applications.models import Application, ApplicationFee
from sahayata.applications.services import application_act
from sahayata.wallet.models import Transfer
from tests.factories.applications import counter, officer_of, submitted
from tests.factories.catalogue import FeeHeadFactory, paid_service, published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ledger_holds_after_each_test() -> None:
    """These tests leave the ledger tampered on purpose: not the package's check after each."""


@pytest.fixture
def three(db: None) -> dict[str, Application]:
    """One application held, one posted, one voided; the service has two fee heads."""
    service = paid_service(amount_paise=4_000)
    FeeHeadFactory(service=service, code="process", amount_paise=1_500, position=2)
    service = published(service)
    at = counter()
    officer = officer_of(service)
    held, posted, voided = (submitted(at=at, service=service) for _ in range(3))
    application_act(application=posted, action="approve", actor=officer)
    application_act(application=voided, action="reject", actor=officer, comment="Wrong plot")
    return {"held": held, "posted": posted, "voided": voided}


def problems() -> list[str]:
    return [str(violation) for violation in fees_check()]


def test_sound_applications_pass(three: dict[str, Application]) -> None:
    assert problems() == []
    assert {a.hold for a in Application.objects.all()} == {"held", "posted", "voided"}


def test_a_fee_line_edited_is_caught(three: dict[str, Application]) -> None:
    ApplicationFee.objects.filter(application=three["posted"], code="process").update(
        amount_paise=150
    )
    (problem,) = problems()
    assert three["posted"].number in problem and "fee lines add up to" in problem


def test_a_fee_and_its_line_edited_together_still_disagree_with_the_holds(
    three: dict[str, Application],
) -> None:
    Application.objects.filter(pk=three["held"].pk).update(fee_paise=4_150)
    ApplicationFee.objects.filter(application=three["held"], code="process").update(
        amount_paise=150
    )
    (problem,) = problems()
    assert "holds of 5500 in the wallet" in problem


@pytest.mark.parametrize(
    ("which", "claimed"),
    [("held", "posted"), ("held", "voided"), ("posted", "voided"), ("voided", "held")],
)
def test_a_hold_state_the_transfers_do_not_bear_out_is_caught(
    three: dict[str, Application], which: str, claimed: str
) -> None:
    Application.objects.filter(pk=three[which].pk).update(hold=claimed)
    (problem,) = problems()
    assert f"says {claimed}" in problem


def test_a_hold_amount_edited_is_caught(three: dict[str, Application]) -> None:
    Transfer.objects.filter(reference=three["held"].number, kind="pending").update(amount_paise=10)
    (problem,) = problems()
    assert three["held"].number in problem


def test_a_partial_post_is_not_a_posted_fee(three: dict[str, Application]) -> None:
    Transfer.objects.filter(reference=three["posted"].number, kind="post_pending").update(
        amount_paise=1
    )
    assert any("says posted" in problem for problem in problems())


def test_the_ledger_check_command_reports_it(three: dict[str, Application]) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    Application.objects.filter(pk=three["held"].pk).update(hold="posted")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("ledger_check", stdout=out)
    assert "FAIL every application's fee lines are its holds" in out.getvalue()
