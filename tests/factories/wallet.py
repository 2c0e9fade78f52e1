"""Factories for the e-wallet: funded wallets, payee accounts and top-up requests."""

from __future__ import annotations

import factory

from sahayata.core.ids import uuid7
from sahayata.places.models import Centre
from sahayata.wallet.models import Account, AccountKind, TopUp, TransferCode
from sahayata.wallet.services import (
    TransferSpec,
    system_account,
    transfers_create,
    wallet_open,
)
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory


def funded_wallet(*, centre: Centre | None = None, amount_paise: int = 1_000_000) -> Account:
    """A centre wallet credited with ``amount_paise`` from the funding bank (0: empty)."""
    wallet = wallet_open(centre=centre or CentreFactory())
    if amount_paise:
        fund(wallet=wallet, amount_paise=amount_paise)
    wallet.refresh_from_db()
    return wallet


def fund(*, wallet: Account, amount_paise: int) -> None:
    """Credit a wallet directly, as an approved top-up does."""
    funding = system_account(kind=AccountKind.FUNDING_BANK)
    transfers_create(
        specs=[
            TransferSpec(
                id=uuid7(),
                debit_account_id=funding.pk,
                credit_account_id=wallet.pk,
                amount_paise=amount_paise,
                code=TransferCode.TOPUP,
                reference="test-funding",
            )
        ]
    )


class TopUpFactory(factory.django.DjangoModelFactory):
    """A top-up request (status ``requested``) made by an operator of its centre."""

    class Meta:
        model = TopUp

    centre = factory.SubFactory(CentreFactory)
    amount_paise = 500_000
    bank_reference = factory.Sequence(lambda n: f"UTR{n:010d}")
    requested_by = factory.LazyAttribute(lambda o: UserFactory(role="operator", centre=o.centre))
