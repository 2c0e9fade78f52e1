"""The outbox: written with the application, sent by the worker, leftovers by command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from sahayata.applications.services import application_act
from sahayata.notifications.backends import FileSmsBackend, MemorySmsBackend
from sahayata.notifications.models import Notification
from sahayata.site.outbox import outbox_drain
from sahayata.wallet.errors import InsufficientFunds
from tests.factories.applications import counter, officer_of, submitted
from tests.factories.catalogue import paid_service

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_submission_sms_is_bilingual_states_the_fee_and_is_sent_by_the_worker(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    MemorySmsBackend.outbox = []
    at = counter()
    application = submitted(
        at=at, service=paid_service(amount_paise=4_000), contact_email="c@example.org"
    )
    assert MemorySmsBackend.outbox == []  # the request committed the rows and sent nothing
    assert Notification.objects.filter(status="pending").count() == 2
    outbox_drain()
    assert len(MemorySmsBackend.outbox) == 1
    body = MemorySmsBackend.outbox[0]["body"]
    assert application.number in body and "₹40.00" in body and "₹৪০.০০" in body
    assert len(mail.outbox) == 1 and "₹40.00" in mail.outbox[0].body
    assert Notification.objects.filter(status="sent").count() == 2


def test_sending_on_commit_is_a_setting_for_development(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SAHAYATA_NOTIFICATIONS_ON_COMMIT = True
    MemorySmsBackend.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        submitted(at=counter(), service=paid_service(amount_paise=4_000))
    assert len(MemorySmsBackend.outbox) == 1
    assert not Notification.objects.filter(status="pending").exists()


def test_failed_submission_leaves_no_notification() -> None:
    at = counter(amount_paise=0)
    with pytest.raises(InsufficientFunds):
        submitted(at=at, service=paid_service())
    assert Notification.objects.count() == 0


def test_leftovers_are_sent_by_the_command_to_the_file_backend(
    settings: Any, tmp_path: Path
) -> None:
    settings.SAHAYATA_SMS_BACKEND = "sahayata.notifications.backends.FileSmsBackend"
    settings.SAHAYATA_SMS_FILE = str(tmp_path / "outbox-sms.log")
    at = counter()
    service = paid_service()
    application = submitted(at=at, service=service)  # on-commit never ran: a "crash"
    application_act(application=application, action="approve", actor=officer_of(service))
    assert Notification.objects.filter(status="pending").count() == 2
    call_command("notifications_send", verbosity=0)
    assert Notification.objects.filter(status="pending").count() == 0
    log = Path(FileSmsBackend().path).read_text(encoding="utf-8")
    lines = log.splitlines()
    assert len(lines) == 2 and all(f"\t{application.number}\t" in line for line in lines)
    call_command("notifications_send", verbosity=0)  # nothing twice
    assert Path(FileSmsBackend().path).read_text(encoding="utf-8") == log
