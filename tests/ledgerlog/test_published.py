"""Heads published outside the database: a database writer who rewrites or truncates the
ledger and covers it up everywhere inside the database is still caught by ``ledger_check``."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sahayata.ledgerlog.models import LogHead
from sahayata.ledgerlog.services import log_publish
from sahayata.site.checks import ledger_checks
from sahayata.wallet.models import LedgerSeal, TopUp, Transfer
from sahayata.wallet.services import topup_approve, topup_request
from tests.factories.people import UserFactory
from tests.ledgerlog import attacker
from tests.ledgerlog.conftest import History

pytestmark = pytest.mark.django_db


def run_check() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("ledger_check", stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


def checks_failed() -> set[str]:
    return {violation.check for violation in ledger_checks()}


def topped_up(history: History, amount_paise: int = 250_000) -> TopUp:
    operator = history.at.operator
    request = topup_request(
        centre=history.at.centre,
        amount_paise=amount_paise,
        bank_reference=f"UTR{TopUp.objects.count():09d}",
        requested_by=operator,
    )
    return topup_approve(topup_id=request.pk, approved_by=UserFactory(role="finance"))


@pytest.fixture
def published(
    history: History, django_capture_on_commit_callbacks: Callable[..., Any]
) -> tuple[History, TopUp]:
    history.approved(3)
    topup = topped_up(history)
    history.approved(2)
    with django_capture_on_commit_callbacks(execute=True):
        log_publish()
    return history, topup


def test_publishing_writes_the_signed_head_and_the_seal_chain_outside_the_database(
    published: tuple[History, TopUp], settings: Any
) -> None:
    files = sorted(Path(settings.SAHAYATA_LOG_PUBLISH_DIR).glob("head-*.json"))
    assert len(files) == 1
    head = json.loads(files[0].read_text())
    stored = LogHead.objects.get()
    assert (head["tree_size"], head["root_hash"], head["signature"]) == (
        stored.tree_size,
        stored.root_hash,
        stored.signature,
    )
    seal = LedgerSeal.objects.get()
    assert (head["seal_seq"], head["seal_chain_hash"]) == (seal.last_seq, seal.last_hash)
    code, report = run_check()
    assert code == 0, report
    assert "ok   every head published outside the database" in report


def test_a_top_up_multiplied_and_covered_up_is_caught(published: tuple[History, TopUp]) -> None:
    """Repro: ten times a sealed top-up's transfer, its hash recomputed, the chain re-chained
    to the end, the seal head and every balance moved, the log rebuilt without its heads."""
    _history, topup = published
    transfer = Transfer.objects.get(pk=topup.transfer_id)
    transfer.amount_paise *= 10
    attacker.rehash(transfer)
    attacker.cover_up()
    assert checks_failed() == {"topups_match_transfers", "published_heads"}
    code, report = run_check()
    assert code == 1
    assert "approved 250000 paise, its transfer moved 2500000" in report
    assert "published head" in report and "posted transfers were rewritten" in report


def test_the_same_with_the_top_up_row_edited_too_is_caught_by_the_published_head(
    published: tuple[History, TopUp],
) -> None:
    _history, topup = published
    transfer = Transfer.objects.get(pk=topup.transfer_id)
    transfer.amount_paise *= 10
    attacker.rehash(transfer)
    TopUp.objects.filter(pk=topup.pk).update(amount_paise=transfer.amount_paise)
    attacker.cover_up()
    assert checks_failed() == {"published_heads"}


def test_a_rewritten_hold_is_caught_by_the_seal_chain_anchor(
    published: tuple[History, TopUp],
) -> None:
    """A hold is no leaf of the log: the seal chain head published with the log's covers it
    (and the application's fee lines disagree with it)."""
    _history, _topup = published
    hold = Transfer.objects.filter(kind="pending").order_by("seal_seq").first()
    assert hold is not None
    hold.amount_paise *= 10
    attacker.rehash(hold)
    attacker.cover_up()
    assert checks_failed() == {"application_fees_match_holds", "published_heads"}
    code, report = run_check()
    assert code == 1
    assert "sealed transfers were rewritten" in report


def test_the_last_rows_deleted_and_the_head_reset_is_caught_as_a_truncation(
    history: History, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """Repro: the last sealed rows (a top-up's credit) deleted, with their top-up, the
    balances recounted, the seal head reset to the row before and the log rebuilt."""
    history.approved(3)
    topup = topped_up(history)
    with django_capture_on_commit_callbacks(execute=True):
        log_publish()
    assert checks_failed() == set()
    last = Transfer.objects.get(pk=topup.transfer_id)
    assert last.seal_seq == LedgerSeal.objects.get().last_seq
    TopUp.objects.filter(pk=topup.pk).delete()
    last.delete()
    attacker.cover_up()
    failed = [v for v in ledger_checks() if v.check == "published_heads"]
    assert {v.check for v in ledger_checks()} == {"published_heads"}
    assert any("the ledger was truncated" in str(v) for v in failed)
    assert any("sealed transfers were deleted" in str(v) for v in failed)


def test_a_published_head_gone_from_the_database_is_reported(
    published: tuple[History, TopUp],
) -> None:
    LogHead.objects.all().delete()
    assert checks_failed() == {"published_heads"}


def test_a_forged_published_file_is_reported(
    published: tuple[History, TopUp], settings: Any
) -> None:
    path = next(Path(settings.SAHAYATA_LOG_PUBLISH_DIR).glob("head-*.json"))
    head = json.loads(path.read_text())
    head["seal_seq"] += 1
    path.write_text(json.dumps(head))
    assert checks_failed() == {"published_heads"}


def test_rows_after_the_last_published_head_are_only_as_safe_as_the_database(
    published: tuple[History, TopUp],
) -> None:
    """The honest limit: what was sealed after the last published head has no outside
    anchor yet. Deleting it with a full cover-up is not caught until heads are compared
    elsewhere; run_jobs publishes a head every Kolkata day."""
    history, _topup = published
    topup = topped_up(history, amount_paise=100_000)
    call_command("ledger_seal")
    TopUp.objects.filter(pk=topup.pk).delete()
    Transfer.objects.filter(pk=topup.transfer_id).delete()
    attacker.rechain()
    attacker.recount()
    assert checks_failed() == set()
