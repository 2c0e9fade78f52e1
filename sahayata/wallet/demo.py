"""Demo wallets: every centre gets a wallet and one credited top-up, through the services.

The top-up is requested by the centre's first operator and approved by ``finance``
(maker-checker). Bank references are deterministic (``DEMO-<centre code>``), so a second
run finds them and adds nothing.
"""

from __future__ import annotations

from typing import Any

from sahayata.people.models import Role, User
from sahayata.places.models import Centre
from sahayata.wallet.models import TopUp
from sahayata.wallet.services import topup_approve, topup_request, wallet_open

DEMO_TOPUP_PAISE = 50_000_00  # ₹50,000 per centre


def seed_demo(*, stdout: Any, quiet: bool = False) -> None:
    finance = User.objects.filter(username="finance", role=Role.FINANCE).first()
    done = set(
        TopUp.objects.filter(bank_reference__startswith="DEMO-").values_list(
            "bank_reference", "status"
        )
    )
    references = {reference: status for reference, status in done}
    opened = credited = 0
    for centre in Centre.objects.order_by("code"):
        wallet_open(centre=centre)
        opened += 1
        reference = f"DEMO-{centre.code}".upper()
        status = references.get(reference)
        if status == TopUp.Status.CREDITED or finance is None:
            continue
        if status is None:
            operator = (
                User.objects.filter(centre=centre, role=Role.OPERATOR, is_active=True)
                .order_by("username")
                .first()
            )
            if operator is None:
                continue
            topup = topup_request(
                centre=centre,
                amount_paise=DEMO_TOPUP_PAISE,
                bank_reference=reference,
                requested_by=operator,
            )
        else:
            topup = TopUp.objects.get(bank_reference=reference)
            if topup.status != TopUp.Status.REQUESTED:
                continue
        topup_approve(topup_id=topup.id, approved_by=finance)
        credited += 1
    if not quiet:
        stdout.write(f"Wallets: {opened} open, {credited} demo top-ups credited now")
