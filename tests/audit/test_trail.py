"""The audit trail itself: append-only (ORM and triggers), written in the caller's
transaction, sealed in batches, verified, tampered with, pruned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

from sahayata.audit import services
from sahayata.audit.checks import audit_problems
from sahayata.audit.models import AppendOnly, AuditCheckpoint, AuditEvent, AuditSeal
from sahayata.audit.services import EventSpec, audit_prune, audit_seal, event_record
from sahayata.people.models import Role
from tests.audit.events import holiday_events as _events
from tests.audit.tamper import execute, triggers_dropped
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def test_event_names_its_actor_and_scrubs_secrets_and_aadhaar() -> None:
    auditor = UserFactory(role=Role.ADMIN)
    with transaction.atomic():
        event = event_record(
            action="user.create",
            object_type="user",
            object_id=7,
            actor=auditor,
            after={"username": "x", "password": "pbkdf2$secret", "note": "aadhaar 2345 6789 0123"},
        )
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_kind, event.actor_user_id, event.actor_role) == (
        "user",
        auditor.pk,
        "admin",
    )
    assert event.after == {
        "username": "x",
        "password": "[removed]",
        "note": "aadhaar XXXX-XXXX-0123",
    }
    system = _events(1)[0]
    assert (system.actor_kind, system.actor_label) == ("system", services.SYSTEM_LABEL)


def test_a_rolled_back_write_leaves_no_event() -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        event_record(action="holiday.create", object_type="holiday", object_id=1)
        services.events_record_batch(events=[EventSpec("holiday.create", "holiday", 2)])
        assert AuditEvent.objects.count() == 2
        1 / 0  # noqa: B018 - the write that fails after its events were recorded
    assert AuditEvent.objects.count() == 0


def test_the_orm_refuses_to_change_or_delete_an_event() -> None:
    event = _events(1)[0]
    event.action = "forged"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_to_change_or_delete_an_event() -> None:
    event = _events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    audit_seal()
    # Once sealed, not even the sealer's columns may change again.
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_auditevent SET seal_seq = 99 WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_auditcheckpoint SET through_seq = 0")  # no row: still fine
        execute(
            "INSERT INTO audit_auditcheckpoint (through_seq, through_hash, through_at, pruned, "
            "retention_days, created_at) VALUES (1, 'x', %s, 0, 1, %s)",
            [timezone.now(), timezone.now()],
        )
        execute("DELETE FROM audit_auditcheckpoint")
    assert AuditEvent.objects.get(pk=event.pk).action == "holiday.create"


def test_the_sealer_chains_in_id_order_in_batches() -> None:
    events = _events(5)
    assert audit_seal(batch_size=2) == 5
    sealed = list(AuditEvent.objects.order_by("id").values_list("seal_seq", flat=True))
    assert sealed == [1, 2, 3, 4, 5]
    assert [e.pk for e in events] == list(
        AuditEvent.objects.order_by("seal_seq").values_list("id", flat=True)
    )
    head = AuditSeal.objects.get(pk=1)
    assert head.last_seq == 5
    assert audit_seal() == 0
    assert audit_problems() == []


def test_audit_verify_passes_on_an_intact_trail(capsys: pytest.CaptureFixture[str]) -> None:
    _events(3)
    call_command("audit_verify")
    assert "audit trail OK: 3 events" in capsys.readouterr().out


def _verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    assert failure.value.returncode == 1
    return str(failure.value)


def test_audit_verify_finds_an_edited_sealed_event(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(4)
    audit_seal()
    call_command("audit_verify")
    with triggers_dropped():
        execute(
            "UPDATE audit_auditevent SET after = %s WHERE id = %s",
            ['{"name": "Forged", "n": 2}', events[2].pk],
        )
    assert "tampered" in _verify_fails()
    assert f"event {events[2].pk} (seal 3) was edited" in capsys.readouterr().err


def test_audit_verify_finds_a_deleted_sealed_event(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(4)
    audit_seal()
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    _verify_fails()
    assert "sealed rows 2..2 are missing" in capsys.readouterr().err


def test_audit_verify_finds_the_last_events_deleted(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(4)
    audit_seal()
    with triggers_dropped():
        execute("DELETE FROM audit_auditevent WHERE id >= %s", [events[2].pk])
    _verify_fails()
    assert "the seal head says 4 events, the chain reaches 2" in capsys.readouterr().err


def test_audit_verify_finds_re_ordered_events(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(4)
    audit_seal()
    first, second = events[1].pk, events[2].pk
    with triggers_dropped():
        # Swap the seal numbers of two events (through a free number: seal_seq is unique).
        execute("UPDATE audit_auditevent SET seal_seq = -1 WHERE id = %s", [first])
        execute("UPDATE audit_auditevent SET seal_seq = 2 WHERE id = %s", [second])
        execute("UPDATE audit_auditevent SET seal_seq = 3 WHERE id = %s", [first])
    _verify_fails()
    err = capsys.readouterr().err
    assert "re-ordered" in err
    assert f"event {first} (seal 3) is out of id order" in err


def test_prune_keeps_a_checkpoint_and_the_rest_verifies() -> None:
    old = _events(3)
    long_ago = timezone.now() - dt.timedelta(days=400)
    with triggers_dropped():
        execute("UPDATE audit_auditevent SET at = %s WHERE id <= %s", [long_ago, old[-1].pk])
    _events(2)
    result = audit_prune(retention_days=365)
    assert result.deleted == 3
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.through_seq, checkpoint.pruned) == (3, 3)
    assert AuditEvent.objects.count() == 2
    assert audit_problems() == []
    assert audit_prune(retention_days=365).deleted == 0
    # The checkpoint anchors the rest: forging it breaks the chain.
    with triggers_dropped():
        execute("UPDATE audit_auditcheckpoint SET through_hash = %s", ["f" * 64])
    assert [p.check for p in audit_problems()] == ["broken"]


def test_prune_deletes_nothing_recent() -> None:
    _events(2)
    assert audit_prune(retention_days=180).deleted == 0
    assert AuditEvent.objects.count() == 2
