"""Uploaded files follow their transaction: no file outlives a rollback, and a committed
document's file ends up in place even if the process died before moving it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from sahayata.applications import notices
from sahayata.applications.documents import (
    Upload,
    document_path,
    documents_root,
    documents_sweep,
    staging_root,
)
from sahayata.applications.models import Application, ApplicationDocument
from tests.factories.applications import certificate_service, counter, submitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a test document\n"


class Boom(Exception):
    pass


def _files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def _submit() -> Application:
    return submitted(
        at=counter(),
        service=certificate_service(),
        documents=[Upload(code="identity", name="id.pdf", content=PDF)],
    )


def test_committed_document_is_moved_into_place(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = _submit()
    document = ApplicationDocument.objects.get(application=application)
    final = documents_root() / document.storage_name
    assert final.read_bytes() == PDF
    assert _files() == [final]  # nothing left in staging
    assert document_path(document.storage_name) == final.resolve()


def test_a_rollback_further_out_leaves_no_file_once_swept() -> None:
    with pytest.raises(Boom), transaction.atomic():
        _submit()
        raise Boom  # e.g. the API's idempotency record failed to save
    assert not ApplicationDocument.objects.exists()
    assert all(staging_root() in p.parents for p in _files())  # never reached its place
    assert documents_sweep(older_than_seconds=3600) == {"moved": 0, "deleted": 0}  # grace
    assert documents_sweep(older_than_seconds=0) == {"moved": 0, "deleted": 1}
    assert _files() == []


def test_a_failure_inside_the_submission_deletes_the_file_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: Any) -> None:
        raise Boom

    monkeypatch.setattr(notices, "notice_submitted", broken)
    with pytest.raises(Boom):
        _submit()
    assert not Application.objects.exists()
    assert _files() == []


def test_commit_then_crash_before_the_move_is_finished_by_the_sweep() -> None:
    application = _submit()  # the test transaction never commits: the move never ran
    document = ApplicationDocument.objects.get(application=application)
    staged = staging_root() / document.storage_name
    assert _files() == [staged]
    assert document_path(document.storage_name) == staged.resolve()  # still served
    assert documents_sweep(older_than_seconds=0) == {"moved": 1, "deleted": 0}
    assert _files() == [documents_root() / document.storage_name]


def test_staged_names_cannot_be_asked_for_directly() -> None:
    with pytest.raises(ValueError):
        document_path(".staging/ab/cd.pdf")
    with pytest.raises(ValueError):
        document_path("../../etc/passwd")
