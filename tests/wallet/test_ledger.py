"""ledger_seal and ledger_check: a sound ledger passes; any tampering makes it fail."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sahayata.core import dialect
from sahayata.core.ids import uuid7
from sahayata.wallet.ledger import ledger_check, ledger_seal
from sahayata.wallet.models import Account, LedgerSeal, Transfer
from sahayata.wallet.services import TransferSpec, transfer_post, transfers_create
from tests.factories.wallet import funded_wallet

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_ledger(treasury: Account) -> Account:
    wallet = funded_wallet(amount_paise=100_000)
    for amount in (1_000, 2_000, 3_000):
        held = transfers_create(
            specs=[TransferSpec(uuid7(), wallet.pk, treasury.pk, amount, "service_fee", "A", True)]
        )[0]
        if amount != 3_000:
            transfer_post(id=uuid7(), pending_id=held.id, amount_paise=amount - 500)
    return wallet


def run_check() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("ledger_check", stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_a_sound_ledger_passes(busy_ledger: Account) -> None:
    code, report = run_check()
    assert code == 0, report
    assert "Ledger OK" in report
    assert Transfer.objects.filter(seal_seq__isnull=True).count() == 0
    head = LedgerSeal.objects.get(pk=1)
    assert head.last_seq == Transfer.objects.count()


def test_sealing_is_incremental(busy_ledger: Account, treasury: Account) -> None:
    assert ledger_seal() == Transfer.objects.count()
    assert ledger_seal() == 0
    transfers_create(
        specs=[TransferSpec(uuid7(), busy_ledger.pk, treasury.pk, 5, "service_fee", "B")]
    )
    assert ledger_seal(batch_size=1) == 1
    assert ledger_check() == []


def test_editing_a_past_amount_is_detected(busy_ledger: Account) -> None:
    ledger_seal()
    victim = Transfer.objects.filter(kind="single").order_by("seal_seq").first()
    assert victim is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wallet_transfer SET amount_paise = amount_paise + 1 WHERE id = %s",
            [dialect.uuid_value(victim.id)],
        )
    code, report = run_check()
    assert code == 1
    assert "altered" in report
    assert "FAIL the hash chain is intact" in report
    assert "FAIL each account's stored balance equals the sum of its transfers" in report


def test_editing_a_balance_is_detected(busy_ledger: Account) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wallet_account SET credits_posted = credits_posted + 100 WHERE id = %s",
            [busy_ledger.pk],
        )
    checks = {v.check for v in ledger_check()}
    assert checks == {"debits_equal_credits", "account_matches_transfers"}


def test_deleting_a_sealed_row_is_detected(busy_ledger: Account, treasury: Account) -> None:
    loose = transfers_create(
        specs=[TransferSpec(uuid7(), busy_ledger.pk, treasury.pk, 7, "service_fee", "C")]
    )[0]
    transfers_create(
        specs=[TransferSpec(uuid7(), busy_ledger.pk, treasury.pk, 9, "service_fee", "D")]
    )
    ledger_seal()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM wallet_transfer WHERE id = %s",
            [dialect.uuid_value(loose.id)],
        )
    details = [str(v) for v in ledger_check()]
    assert any("missing" in d for d in details), details
    assert any("[account_matches_transfers]" in d for d in details)


def sql_id(value: uuid.UUID) -> object:
    return dialect.uuid_value(value)


def test_a_post_larger_than_its_hold_is_detected(busy_ledger: Account) -> None:
    post = Transfer.objects.filter(kind="post_pending").select_related("pending").first()
    assert post is not None and post.pending is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wallet_transfer SET amount_paise = %s WHERE id = %s",
            [post.pending.amount_paise + 1, sql_id(post.id)],
        )
    details = [str(v) for v in ledger_check()]
    assert any("does not match the hold it resolves" in d for d in details), details


def test_a_resolution_of_something_that_is_no_hold_is_detected(busy_ledger: Account) -> None:
    post = Transfer.objects.filter(kind="post_pending").first()
    single = Transfer.objects.filter(kind="single").first()
    assert post is not None and single is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wallet_transfer SET pending_id = %s WHERE id = %s",
            [sql_id(single.id), sql_id(post.id)],
        )
    details = [str(v) for v in ledger_check()]
    assert any("resolves a transfer that is no hold" in d for d in details), details


def test_the_sealer_walks_its_partial_index_in_order(busy_ledger: Account) -> None:
    """A batch reads the oldest unsealed rows off ``transfer_unsealed`` without sorting the
    backlog: SQLite used to pick the unique ``seal_seq`` index (all NULLs) and sort every
    unsealed row, so a batch cost grew with the history (about 0.2 s per million rows)."""
    from sahayata.wallet.ledger import _unsealed_sql

    sql = _unsealed_sql()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables make a sequential scan cheapest; at scale the statistics
            # choose the index. What matters is that the index serves the order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", [5000])
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", [5000])
        plan = " ".join(str(part) for row in cursor.fetchall() for part in row)
    assert "transfer_unsealed" in plan, plan
    assert "TEMP B-TREE" not in plan.upper(), plan
    assert "Sort" not in plan, plan
    assert ledger_seal(batch_size=2) == Transfer.objects.count()
    sealed = list(Transfer.objects.order_by("seal_seq").values_list("created_at", "id"))
    assert sealed == sorted(sealed)
