"""Retention: uploaded documents are erased SAHAYATA_DOCUMENT_RETENTION_DAYS after their
application closes (by the documents_sweep job), and the SMS outbox file keeps
SAHAYATA_LOG_RETENTION_DAYS of lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sahayata.applications.documents import Upload, document_path, documents_expire
from sahayata.applications.models import Application, ApplicationDocument
from sahayata.audit.models import AuditEvent
from sahayata.notifications.services import sms_log_prune
from sahayata.site import jobs
from tests.factories.applications import certificate_service, counter, submitted

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _with_document(at: Any, *, closed_days_ago: int | None) -> Application:
    application = submitted(
        at=at,
        service=certificate_service(),
        documents=[Upload(code="identity", name="id.png", content=PNG)],
    )
    if closed_days_ago is not None:
        Application.objects.filter(pk=application.pk).update(
            is_open=False, closed_at=timezone.now() - dt.timedelta(days=closed_days_ago)
        )
    return application


def _files(application: Application) -> list[Path]:
    return [document_path(d.storage_name) for d in application.documents.all()]


def test_documents_are_erased_after_the_retention_period(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SAHAYATA_DOCUMENT_RETENTION_DAYS = 365
    at = counter()
    with django_capture_on_commit_callbacks(execute=True):
        old = _with_document(at, closed_days_ago=400)
        recent = _with_document(at, closed_days_ago=10)
        still_open = _with_document(at, closed_days_ago=None)
    Application.objects.filter(pk=still_open.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=900)
    )
    old_files = _files(old)
    kept_files = _files(recent) + _files(still_open)
    assert all(path.exists() for path in old_files + kept_files)
    sha256 = old.documents.get().sha256

    with django_capture_on_commit_callbacks(execute=True):
        report = jobs.documents_sweep()  # the job the worker runs every 30 minutes
    assert "expired=1" in report.split()
    assert not any(path.exists() for path in old_files)
    assert not ApplicationDocument.objects.filter(application=old).exists()
    assert all(path.exists() for path in kept_files)
    assert ApplicationDocument.objects.filter(application__in=[recent, still_open]).count() == 2
    # What was erased is on the record, without its content.
    event = AuditEvent.objects.get(action="application.documents_expire")
    assert event.object_id == str(old.pk)
    assert event.before["documents"][0]["sha256"] == sha256
    assert event.after == {"retention_days": 365}

    # A shorter period takes the recent one too; a second pass finds nothing more.
    settings.SAHAYATA_DOCUMENT_RETENTION_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_expire() == 1
    assert documents_expire() == 0
    assert ApplicationDocument.objects.filter(application=still_open).count() == 1


def test_a_retention_of_zero_keeps_documents_for_ever(settings: Any) -> None:
    settings.SAHAYATA_DOCUMENT_RETENTION_DAYS = 0
    _with_document(counter(), closed_days_ago=5000)
    assert documents_expire() == 0
    assert ApplicationDocument.objects.count() == 1


def test_the_sms_outbox_file_keeps_the_log_retention_period(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "outbox-sms.log"
    settings.SAHAYATA_SMS_FILE = str(path)
    settings.SAHAYATA_LOG_RETENTION_DAYS = 180
    now = timezone.localtime()
    stamps = {
        days: (now - dt.timedelta(days=days)).isoformat(timespec="seconds")
        for days in (400, 181, 179, 0)
    }
    lines = [f"{stamp}\t+919830012345\tref{days}\tText\n" for days, stamp in stamps.items()]
    path.write_text("".join(lines) + "a line of someone else's\n", encoding="utf-8")
    assert sms_log_prune() == 2
    kept = path.read_text(encoding="utf-8")
    assert "ref400" not in kept and "ref181" not in kept
    assert "ref179" in kept and "ref0" in kept and "someone else's" in kept
    assert sms_log_prune() == 0
