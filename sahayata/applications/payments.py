"""The fee of an application in the centre's e-wallet: hold at submission, then post or void.

One *linked* pending transfer per fee head, from the centre wallet to that head's payee
account (code ``service_fee``, reference = application number). Transfer ids are
deterministic (uuid5 of application number, fee head and step), so a retry after a crash
finds the transfers it already made instead of moving money twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache

from sahayata.applications import plans
from sahayata.applications.models import Application
from sahayata.applications.plans import TRANSFER_NAMESPACE, transfer_id
from sahayata.catalogue.models import Department
from sahayata.wallet.models import TransferCode
from sahayata.wallet.services import hold_accounts, payee_account, transfers_create

SERVICE_FEE = TransferCode.SERVICE_FEE

__all__ = ["TRANSFER_NAMESPACE", "holds_place", "holds_post", "holds_void", "transfer_id"]


def payee_lookup(*, department: Department | None, adapter_code: str) -> Callable[[str], int]:
    """The account id each payee of an application's fee heads pays into (looked up once)."""

    @cache
    def account_id(payee: str) -> int:
        return payee_account(payee=payee, department=department, adapter_code=adapter_code).pk

    return account_id


def holds_place(*, application: Application, plan: plans.SubmissionPlan) -> list[uuid.UUID]:
    """Place one linked hold per fee line (all or nothing). Raises ``insufficient_funds``."""
    wallet_id, payee_ids = hold_accounts(  # one query for the wallet and the payees
        centre=application.centre,
        payees=[line.payee for line in plan.lines],
        department=application.department,
        adapter_code=application.adapter_code,
    )
    specs = plans.hold_transfers(
        plan,
        number=application.number,
        wallet_account_id=wallet_id,
        payee_account_id=payee_ids.__getitem__,
    )
    transfers_create(specs=specs, linked=True)
    return [spec.id for spec in specs]


def _fee_codes(application: Application) -> list[str]:
    return list(application.fees.order_by("position").values_list("code", flat=True))


def holds_post(*, application: Application) -> list[uuid.UUID]:
    """Post every hold of ``application`` to its payee, in one linked call (idempotent by
    transfer id: a retry finds the posts it already made)."""
    specs = plans.post_transfers(number=application.number, fee_codes=_fee_codes(application))
    if specs:
        transfers_create(specs=specs, linked=True)
    return [spec.id for spec in specs]


def holds_void(*, application: Application) -> list[uuid.UUID]:
    """Void every hold of ``application``: the money is available in the wallet again."""
    specs = plans.void_transfers(number=application.number, fee_codes=_fee_codes(application))
    if specs:
        transfers_create(specs=specs, linked=True)
    return [spec.id for spec in specs]
