"""Publishing: on demand, once per Kolkata day by the job, per day of the demo history;
the commands; a published head never changes."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sahayata.ledgerlog import demo
from sahayata.ledgerlog.checks import log_check
from sahayata.ledgerlog.models import LogHead, LogLeaf
from sahayata.ledgerlog.services import KOLKATA, log_publish, log_publish_due, log_publish_history
from sahayata.ledgerlog.signing import LOG_KEYRING
from sahayata.site import jobs
from sahayata.wallet.models import Transfer
from tests.ledgerlog.conftest import History

pytestmark = pytest.mark.django_db


def test_nothing_new_writes_no_head_and_old_heads_never_change(history: History) -> None:
    history.approved(2)
    first, new = log_publish()
    assert new and first is not None and first.previous_root_hash == ""
    assert first.tree_size == 3  # the wallet's funding and two payments
    again, new = log_publish()
    assert not new and again == first
    history.approved(1)
    second, new = log_publish()
    assert new and second is not None and second.previous_root_hash == first.root_hash
    assert LogHead.objects.get(pk=first.pk).root_hash == first.root_hash
    assert log_check() == []


def test_an_empty_log_publishes_nothing(db: None) -> None:
    assert log_publish() == (None, False)


def test_only_posted_transfers_are_leaves_in_seal_order(history: History) -> None:
    history.approved(2)
    history.rejected()
    log_publish()
    posted = Transfer.objects.filter(kind__in=["single", "post_pending"]).order_by("seal_seq")
    leaves = LogLeaf.objects.order_by("index").values_list("transfer_id", flat=True)
    assert list(leaves) == list(posted.values_list("id", flat=True))
    assert Transfer.objects.filter(kind="void_pending").exists()


def test_the_daily_job_signs_once_per_kolkata_day(history: History) -> None:
    history.approved(1)
    morning = dt.datetime(2026, 12, 2, 9, 0, tzinfo=KOLKATA)
    head, new = log_publish_due(now=morning)
    assert new
    history.approved(1)
    head_later, new = log_publish_due(now=morning + dt.timedelta(hours=14, minutes=59))
    assert not new and head_later == head
    assert LogLeaf.objects.count() == 3  # but the leaves are appended all day
    LogHead.objects.filter(pk=head.pk).update(published_at=morning)  # type: ignore[union-attr]
    _head, new = log_publish_due(now=morning + dt.timedelta(hours=15, minutes=1))
    assert new and LogHead.objects.count() == 2


def test_the_job_is_scheduled_and_runs(history: History) -> None:
    history.approved(1)
    assert any(job.run is jobs.log_publish for job in jobs.JOBS)
    assert jobs.log_publish() == "leaves=2 new_head=1"
    assert jobs.log_publish() == "leaves=2 new_head=0"


def test_history_gets_a_head_per_day(history: History) -> None:
    history.approved(3)
    days = [dt.datetime(2025, 3, day, 12, tzinfo=KOLKATA) for day in (3, 3, 5)]
    posts = list(Transfer.objects.filter(kind="post_pending").order_by("seal_seq"))
    for transfer, at in zip(posts, days, strict=True):
        Transfer.objects.filter(pk=transfer.pk).update(created_at=at)
    Transfer.objects.filter(kind__in=["single", "pending"]).update(created_at=days[0])
    written = log_publish_history(until=timezone.now())
    heads = list(LogHead.objects.order_by("tree_size"))
    assert [h.timestamp[:10] for h in heads] == ["2025-03-03", "2025-03-05"]
    assert written == 2 and heads[-1].tree_size == 4
    demo.seed_demo(stdout=StringIO())  # heads exist: the demo adds none
    assert LogHead.objects.count() == 2


def test_the_commands(history: History) -> None:
    history.approved(1)
    out = StringIO()
    call_command("log_publish", stdout=out)
    assert "published head of 2 leaves" in out.getvalue()
    old = LOG_KEYRING.key_id()
    out = StringIO()
    call_command("log_rotate_key", stdout=out)
    assert f"retired {old}" in out.getvalue() and LOG_KEYRING.key_id() != old
    assert log_check() == []  # the old head verifies against the retired key
