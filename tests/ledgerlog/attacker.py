"""What someone who may write to the database (and not to the published heads) can do to
cover a change: recompute a transfer's content hash, re-chain every sealed row after it,
move the seal head, recompute every balance from the transfers, rebuild the log's leaves
and nodes from the ledger, and delete the heads they cannot sign again."""

from __future__ import annotations

from django.db.models import F

from sahayata.ledgerlog.models import LogHead, LogLeaf, LogNode, LogState
from sahayata.ledgerlog.services import log_append
from sahayata.wallet import ledger, rules
from sahayata.wallet.models import Account, AccountStripe, LedgerSeal, Transfer


def rehash(transfer: Transfer) -> None:
    transfer.content_hash = rules.content_hash(
        id=transfer.id,
        kind=transfer.kind,
        debit_account_id=transfer.debit_account_id,
        credit_account_id=transfer.credit_account_id,
        amount_paise=transfer.amount_paise,
        pending_id=transfer.pending_id,
        code=transfer.code,
        reference=transfer.reference,
        timeout_at=transfer.timeout_at,
        created_at=transfer.created_at,
    )
    Transfer.objects.filter(pk=transfer.pk).update(
        amount_paise=transfer.amount_paise, content_hash=transfer.content_hash
    )


def rechain() -> None:
    """Every sealed row's chain hash from the genesis, and the seal head to the last one."""
    previous, seq = rules.GENESIS_HASH, 0
    for transfer in Transfer.objects.filter(seal_seq__isnull=False).order_by("seal_seq"):
        seq += 1
        previous = rules.chain_hash(previous, transfer.content_hash, seq)
        Transfer.objects.filter(pk=transfer.pk).update(seal_seq=-seq, chain_hash=previous)
    Transfer.objects.filter(seal_seq__lt=0).update(seal_seq=-F("seal_seq"))
    LedgerSeal.objects.filter(pk=1).update(last_seq=seq, last_hash=previous)


def recount() -> None:
    """Every account's counters as its transfers say (a hot account's in its first stripe)."""
    totals = ledger._transfer_totals()
    for account in Account.objects.all():
        values = dict(zip(ledger.COUNTERS, totals.get(account.pk, [0, 0, 0, 0]), strict=True))
        zero = dict.fromkeys(ledger.COUNTERS, 0)
        if account.hot:
            Account.objects.filter(pk=account.pk).update(**zero)
            AccountStripe.objects.filter(account=account).update(**zero)
            AccountStripe.objects.filter(account=account, stripe_no=0).update(**values)
        else:
            Account.objects.filter(pk=account.pk).update(**values)


def rebuild_log() -> None:
    LogHead.objects.all().delete()
    LogLeaf.objects.all().delete()
    LogNode.objects.all().delete()
    LogState.objects.all().delete()
    log_append()


def cover_up() -> None:
    rechain()
    recount()
    rebuild_log()
