"""The wallet demo data: a credited top-up per centre, maker-checker respected, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest

from sahayata.wallet.demo import DEMO_TOPUP_PAISE, seed_demo
from sahayata.wallet.ledger import ledger_check
from sahayata.wallet.models import TopUp
from sahayata.wallet.selectors import centre_wallet, wallet_balance
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory

pytestmark = pytest.mark.django_db


def test_demo_credits_each_centre_once() -> None:
    centres = [CentreFactory() for _ in range(3)]
    for centre in centres:
        UserFactory(role="operator", centre=centre)
    UserFactory(username="finance", role="finance")
    seed_demo(stdout=StringIO())
    seed_demo(stdout=StringIO())
    for centre in centres:
        wallet = centre_wallet(centre=centre)
        assert wallet is not None
        assert wallet_balance(account=wallet).balance_paise == DEMO_TOPUP_PAISE
        topup = TopUp.objects.get(centre=centre)
        assert topup.bank_reference == f"DEMO-{centre.code}"
        assert topup.requested_by.role == "operator"
        assert topup.decided_by is not None and topup.decided_by.username == "finance"
    assert ledger_check() == []
