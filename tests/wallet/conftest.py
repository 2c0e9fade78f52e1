"""Fixtures of the wallet tests: a funded wallet and the treasury."""

from __future__ import annotations

import pytest

from sahayata.wallet.models import Account, AccountKind
from sahayata.wallet.services import system_account
from tests.factories.wallet import funded_wallet


@pytest.fixture
def wallet(db: None) -> Account:
    return funded_wallet(amount_paise=100_000)


@pytest.fixture
def treasury(db: None) -> Account:
    return system_account(kind=AccountKind.TREASURY)
