"""A changed, deleted or re-ordered transfer, or a rewritten head, is caught by
``ledger_check`` and by the offline verifier."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from sahayata.ledgerlog.checks import log_check
from sahayata.ledgerlog.models import LogHead, LogLeaf, LogNode, LogState
from sahayata.ledgerlog.services import log_append, log_publish
from sahayata.wallet import rules
from sahayata.wallet.models import Transfer
from tests.ledgerlog.conftest import History
from tests.ledgerlog.verifier import verify_log

pytestmark = pytest.mark.django_db

BASE = "/api/v1/transparency/log"


def sql_id(value: Any) -> Any:
    return value.hex if connection.vendor == "sqlite" else value


def run_check() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("ledger_check", stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


def leaf_transfers() -> list[Transfer]:
    ids = list(LogLeaf.objects.order_by("index").values_list("transfer_id", flat=True))
    by_id = Transfer.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids]


@pytest.fixture
def published(history: History) -> History:
    history.approved(5)
    history.rejected()
    log_publish()
    return history


def test_a_sound_log_passes(published: History) -> None:
    code, report = run_check()
    assert code == 0, report
    assert "ok   every signed head of the transparency log is the ledger's" in report


def test_a_forged_transfer_with_a_recomputed_hash_is_caught(published: History) -> None:
    victim = leaf_transfers()[2]
    victim.amount_paise += 100
    forged = rules.content_hash(
        id=victim.id,
        kind=victim.kind,
        debit_account_id=victim.debit_account_id,
        credit_account_id=victim.credit_account_id,
        amount_paise=victim.amount_paise,
        pending_id=victim.pending_id,
        code=victim.code,
        reference=victim.reference,
        timeout_at=victim.timeout_at,
        created_at=victim.created_at,
    )
    Transfer.objects.filter(pk=victim.pk).update(
        amount_paise=victim.amount_paise, content_hash=forged
    )
    details = [str(v) for v in log_check()]
    assert any("leaf 2 is not the ledger's transfer" in d for d in details), details
    assert any("is not the root of the ledger" in d for d in details), details
    code, report = run_check()
    assert code == 1 and "FAIL every signed head of the transparency log" in report


def test_a_deleted_transfer_is_caught(published: History) -> None:
    victim = leaf_transfers()[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM wallet_transfer WHERE id = %s", [sql_id(victim.id)])
    details = [str(v) for v in log_check()]
    assert any("leaf 1 is not the ledger's transfer" in d for d in details), details
    assert any("the log has" in d for d in details), details


def test_reordered_transfers_are_caught(published: History) -> None:
    first, second = leaf_transfers()[:2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wallet_transfer SET seal_seq = -1 WHERE id = %s", [sql_id(first.id)])
        cursor.execute(
            "UPDATE wallet_transfer SET seal_seq = %s WHERE id = %s",
            [first.seal_seq, sql_id(second.id)],
        )
        cursor.execute(
            "UPDATE wallet_transfer SET seal_seq = %s WHERE id = %s",
            [second.seal_seq, sql_id(first.id)],
        )
    details = [str(v) for v in log_check()]
    assert any("leaf 0 is not the ledger's transfer" in d for d in details), details


def test_a_rewritten_head_is_caught_by_both(client: Client, published: History) -> None:
    head = LogHead.objects.get()
    head_json = client.get(f"{BASE}/heads/latest").json()
    keys = verify_log.public_keys(client.get(f"{BASE}/public-keys").json())
    LogHead.objects.filter(pk=head.pk).update(root_hash="ab" * 32)
    details = [str(v) for v in log_check()]
    assert any("is not signed by the log" in d for d in details), details
    assert any("is not the root of the ledger" in d for d in details), details
    rewritten = client.get(f"{BASE}/heads/latest").json()
    verify_log.verify_head(head_json, keys)
    with pytest.raises(verify_log.Invalid):
        verify_log.verify_head(rewritten, keys)


def test_altered_stored_nodes_are_caught(published: History) -> None:
    node = LogNode.objects.order_by("key").first()
    assert node is not None
    LogNode.objects.filter(pk=node.pk).update(hash=b"\x00" * 32)
    assert any("stored nodes" in str(v) for v in log_check())


def test_a_rewritten_history_fails_the_verifiers_consistency_check(
    client: Client, published: History
) -> None:
    """Someone with the key rebuilds the log over a changed ledger and re-signs it: the
    head an auditor kept from before no longer extends to the new one."""
    kept = client.get(f"{BASE}/heads/latest").json()
    keys = verify_log.public_keys(client.get(f"{BASE}/public-keys").json())
    victim = leaf_transfers()[0]
    LogHead.objects.all().delete()
    LogNode.objects.all().delete()
    LogLeaf.objects.all().delete()
    LogState.objects.all().delete()
    Transfer.objects.filter(pk=victim.pk).update(content_hash="0" * 64)
    log_publish()
    published.approved(2)
    log_publish()
    new = client.get(f"{BASE}/heads/latest").json()
    proof = client.get(
        f"{BASE}/consistency", {"from": kept["tree_size"], "to": new["tree_size"]}
    ).json()
    old_rewritten = LogHead.objects.get(tree_size=kept["tree_size"])
    assert old_rewritten.root_hash != kept["root_hash"]
    with pytest.raises(verify_log.Invalid):
        verify_log.verify_consistency_document(proof, kept, new, keys)


def test_appending_in_small_batches_gives_the_same_tree(history: History) -> None:
    history.approved(7)
    log_append(batch_size=2)
    small = LogState.objects.get().size, dict(LogNode.objects.values_list("key", "hash"))
    LogNode.objects.all().delete()
    LogLeaf.objects.all().delete()
    LogState.objects.all().delete()
    log_append()
    assert small[0] == LogState.objects.get().size == 8  # the funding top-up, 7 payments
    assert small[1] == dict(LogNode.objects.values_list("key", "hash"))
    assert log_check() == []
