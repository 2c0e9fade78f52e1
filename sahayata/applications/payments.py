"""The fee of an application in the centre's e-wallet: hold at submission, then post or void.

One *linked* pending transfer per fee head, from the centre wallet to that head's payee
account (code ``service_fee``, reference = application number). Transfer ids are
deterministic (uuid5 of application number, fee head and step), so a retry after a crash
finds the transfers it already made instead of moving money twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sahayata.applications.models import Application, ApplicationFee
from sahayata.wallet.models import TransferCode
from sahayata.wallet.services import (
    TransferSpec,
    payee_account,
    transfer_post,
    transfer_void,
    transfers_create,
    wallet_open,
)

# A fixed namespace: changing it would change every transfer id we derive.
TRANSFER_NAMESPACE = uuid.UUID("5b1d0f3e-6a8c-4d4e-9f51-2c8b7a1e0d93")
SERVICE_FEE = TransferCode.SERVICE_FEE


def transfer_id(*, application_no: str, fee_code: str, step: str) -> uuid.UUID:
    """``step`` is ``hold``, ``post`` or ``void``."""
    return uuid.uuid5(TRANSFER_NAMESPACE, f"{application_no}|{fee_code}|{step}")


def holds_place(*, application: Application, fees: Sequence[ApplicationFee]) -> list[uuid.UUID]:
    """Place one linked hold per fee head (all or nothing). Raises ``insufficient_funds``."""
    wallet = wallet_open(centre=application.centre)
    specs = []
    for fee in fees:
        payee = payee_account(
            payee=fee.payee,
            department=application.department,
            adapter_code=application.adapter_code,
        )
        specs.append(
            TransferSpec(
                id=transfer_id(application_no=application.number, fee_code=fee.code, step="hold"),
                debit_account_id=wallet.pk,
                credit_account_id=payee.pk,
                amount_paise=fee.amount_paise,
                code=SERVICE_FEE,
                reference=application.number,
                pending=True,
            )
        )
    transfers_create(specs=specs, linked=True)
    return [spec.id for spec in specs]


def holds_post(*, application: Application) -> list[uuid.UUID]:
    """Post every hold of ``application`` to its payee (idempotent by transfer id)."""
    posted = []
    for fee in application.fees.order_by("position"):
        post_id = transfer_id(application_no=application.number, fee_code=fee.code, step="post")
        transfer_post(
            id=post_id,
            pending_id=transfer_id(
                application_no=application.number, fee_code=fee.code, step="hold"
            ),
        )
        posted.append(post_id)
    return posted


def holds_void(*, application: Application) -> list[uuid.UUID]:
    """Void every hold of ``application``: the money is available in the wallet again."""
    voided = []
    for fee in application.fees.order_by("position"):
        void_id = transfer_id(application_no=application.number, fee_code=fee.code, step="void")
        transfer_void(
            id=void_id,
            pending_id=transfer_id(
                application_no=application.number, fee_code=fee.code, step="hold"
            ),
        )
        voided.append(void_id)
    return voided
