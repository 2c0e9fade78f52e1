"""The audit chain's head anchored outside the database: a superuser who rewrites or
truncates the sealed trail and covers it up inside the database (content hashes, chain and
seal head all consistent, which ``test_trail`` shows passes the in-database checks) is
still caught by ``audit_verify``, against the heads the sealer published."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sahayata.audit.checks import audit_problems
from sahayata.audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from sahayata.audit.services import audit_prune, audit_seal
from sahayata.core import chain
from tests.audit.events import holiday_events as _events
from tests.audit.tamper import execute, rechain_from, triggers_dropped, truncate_to

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def _seal_and_publish(capture: Capture) -> None:
    with capture(execute=True):
        audit_seal()


def _heads(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(directory.glob("audit-*.json"))]


def _verify() -> tuple[int, str]:
    try:
        call_command("audit_verify")
    except CommandError as failure:
        return failure.returncode, str(failure)
    return 0, ""


def _passes_inside_the_database(directory: Path) -> bool:
    """Whether the trail passes with the published heads out of reach (the cover-up is
    complete inside the database: only the outside anchor can catch it)."""
    moved = directory.with_name("elsewhere")
    directory.rename(moved)
    try:
        return audit_problems() == []
    finally:
        moved.rename(directory)


@pytest.fixture
def anchored(
    django_capture_on_commit_callbacks: Capture, _log_published_in_tmp: Path
) -> list[AuditEvent]:
    """Six sealed events, a head published after the fourth and after the sixth."""
    events = _events(4)
    _seal_and_publish(django_capture_on_commit_callbacks)
    events += _events(2)
    _seal_and_publish(django_capture_on_commit_callbacks)
    return events


def test_the_sealer_publishes_each_new_head_signed(
    anchored: list[AuditEvent],
    _log_published_in_tmp: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    heads = _heads(_log_published_in_tmp)
    assert [head["seal_seq"] for head in heads] == [4, 6]
    seal = AuditSeal.objects.get()
    assert (heads[-1]["chain_hash"], seal.published_seq) == (seal.last_hash, 6)
    assert (heads[-1]["checkpoint_seq"], heads[-1]["checkpoint_hash"]) == (0, chain.GENESIS_HASH)
    _seal_and_publish(django_capture_on_commit_callbacks)  # nothing new: no new head
    assert len(_heads(_log_published_in_tmp)) == 2
    assert _verify() == (0, "")


def test_a_rewritten_event_re_chained_to_the_end_is_caught(
    anchored: list[AuditEvent], _log_published_in_tmp: Path
) -> None:
    """Repro (a): edit a sealed event, recompute its hash, re-chain to the end and update
    the seal: every check inside the database passes, the published heads do not."""
    forged = anchored[2]
    with triggers_dropped():
        execute(
            "UPDATE audit_auditevent SET after = %s WHERE id = %s",
            ['{"name": "Forged", "n": 2}', forged.pk],
        )
    rechain_from(3)
    assert _passes_inside_the_database(_log_published_in_tmp)
    code, message = _verify()
    assert code == 1 and "tampered" in message
    details = [str(problem) for problem in audit_problems()]
    assert details == [
        f"[published] the chain at seal {seq} is not the one published outside the database: "
        "sealed events were rewritten"
        for seq in (4, 6)
    ]


def test_the_last_events_deleted_and_the_head_reset_are_caught(
    anchored: list[AuditEvent],
    _log_published_in_tmp: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """Repro (b): delete the last sealed events and reset the head (and what it last
    published) to the event before them."""
    truncate_to(3)
    assert _passes_inside_the_database(_log_published_in_tmp)
    code, _message = _verify()
    assert code == 1
    details = [str(problem) for problem in audit_problems()]
    assert details == [
        f"[published] a head published outside the database anchors seal {seq}, the trail "
        "reaches 3: sealed events were deleted"
        for seq in (4, 6)
    ]
    # New events sealed to the same numbers: the sealer never overwrites a published head.
    _events(3)
    _seal_and_publish(django_capture_on_commit_callbacks)
    assert AuditSeal.objects.get().last_seq == 6
    assert [str(problem) for problem in audit_problems()] == [
        f"[published] the chain at seal {seq} is not the one published outside the database: "
        "sealed events were rewritten"
        for seq in (4, 6)
    ]


def test_a_forged_checkpoint_hiding_a_truncation_is_caught(
    anchored: list[AuditEvent], _log_published_in_tmp: Path
) -> None:
    """Every event deleted behind a checkpoint made up to look like a pruning."""
    seal = AuditSeal.objects.get()
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent")
        execute(
            "INSERT INTO audit_auditcheckpoint (through_seq, through_hash, through_at, pruned, "
            "retention_days, created_at) VALUES (%s, %s, %s, 6, 365, %s)",
            [seal.last_seq, seal.last_hash, timezone.now(), timezone.now()],
        )
    assert _passes_inside_the_database(_log_published_in_tmp)
    assert _verify()[0] == 1
    assert [problem.check for problem in audit_problems()] == ["published"]
    assert "never published" in str(audit_problems()[0])


def test_pruning_publishes_its_checkpoint_and_the_rest_still_verifies(
    anchored: list[AuditEvent],
    _log_published_in_tmp: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    long_ago = timezone.now() - dt.timedelta(days=400)
    with triggers_dropped():
        execute("UPDATE audit_auditevent SET at = %s WHERE id <= %s", [long_ago, anchored[3].pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_prune(retention_days=365).deleted == 4
    checkpoint = AuditCheckpoint.objects.get()
    latest = _heads(_log_published_in_tmp)[-1]
    assert (latest["seal_seq"], latest["checkpoint_seq"], latest["checkpoint_hash"]) == (
        6,
        4,
        checkpoint.through_hash,
    )
    assert audit_problems() == []
    assert _verify() == (0, "")


def test_a_published_head_not_signed_by_the_log_is_reported(
    anchored: list[AuditEvent], _log_published_in_tmp: Path
) -> None:
    path = sorted(_log_published_in_tmp.glob("audit-*.json"))[0]
    head = json.loads(path.read_text())
    head["chain_hash"] = "f" * 64
    path.write_text(json.dumps(head))
    assert [str(problem) for problem in audit_problems()] == [
        "[published] published audit head 4 is not signed"
    ]


def test_audit_verify_seals_but_publishes_nothing(
    django_capture_on_commit_callbacks: Capture, _log_published_in_tmp: Path
) -> None:
    _events(2)
    with django_capture_on_commit_callbacks(execute=True):
        assert _verify() == (0, "")
    assert AuditEvent.objects.filter(seal_seq__isnull=True).count() == 0
    assert _heads(_log_published_in_tmp) == []
