"""Writes of the notifications outbox: queue inside a transaction, send from the worker.

``notification_queue`` is called inside the transaction that changes what it announces;
the rows commit (or vanish) with it. The worker sends them (``run_jobs``' relay queues a
``notifications_send`` task when fresh rows wait; ``manage.py notifications_send`` by hand);
``SAHAYATA_NOTIFICATIONS_ON_COMMIT`` sends after commit instead, inside the request (a
development convenience). Delivery is at least once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.utils import timezone

from sahayata.notifications.backends import SmsError, sms_backend
from sahayata.notifications.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def notification_queue(
    *,
    kind: str,
    reference: str,
    body: str,
    mobile: str = "",
    email: str = "",
    subject: str = "",
) -> list[Notification]:
    """Write outbox rows (SMS to ``mobile``, e-mail to ``email``) in the caller's transaction."""
    rows = []
    if mobile:
        rows.append(
            Notification(
                channel=Notification.Channel.SMS,
                recipient=mobile,
                kind=kind,
                reference=reference,
                body=body,
            )
        )
    if email:
        rows.append(
            Notification(
                channel=Notification.Channel.EMAIL,
                recipient=email,
                kind=kind,
                reference=reference,
                subject=subject or reference,
                body=body,
            )
        )
    Notification.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    if ids and settings.SAHAYATA_NOTIFICATIONS_ON_COMMIT:
        transaction.on_commit(lambda: notifications_send(ids=ids))
    return rows


def _deliver(notification: Notification) -> None:
    if notification.channel == Notification.Channel.SMS:
        sms_backend().send(
            to=notification.recipient, body=notification.body, reference=notification.reference
        )
    else:
        send_mail(
            subject=notification.subject,
            message=notification.body,
            from_email=None,
            recipient_list=[notification.recipient],
        )


def notifications_send(*, ids: Iterable[object] | None = None, limit: int = 200) -> int:
    """Send pending notifications (these ``ids``, or the oldest ``limit``). Returns sent count.

    Each row is claimed under a row lock (skipping rows another sender holds), sent, and
    marked in the same short transaction, so two senders never send one row twice.
    """
    candidates = Notification.objects.filter(status=Notification.Status.PENDING)
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    pending_ids = list(candidates.order_by("created_at").values_list("pk", flat=True)[:limit])
    sent = 0
    for pk in pending_ids:
        try:
            with transaction.atomic():
                row = (
                    Notification.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, status=Notification.Status.PENDING)
                    .first()
                )
                if row is None:
                    continue
                row.attempts += 1
                try:
                    _deliver(row)
                except (SmsError, OSError) as exc:
                    row.last_error = f"{type(exc).__name__}: {exc}"[:200]
                    if row.attempts >= MAX_ATTEMPTS:
                        row.status = Notification.Status.FAILED
                    row.save(update_fields=["attempts", "last_error", "status"])
                    continue
                row.status = Notification.Status.SENT
                row.sent_at = timezone.now()
                row.save(update_fields=["attempts", "status", "sent_at"])
                sent += 1
        except DatabaseError:
            logger.exception("notification %s could not be sent", pk)
    return sent


def sms_log_prune(*, now: dt.datetime | None = None, retention_days: int | None = None) -> int:
    """Drop the lines of the SMS outbox file (``SAHAYATA_SMS_FILE``, the development and
    demo backend's log, which holds mobile numbers) older than ``SAHAYATA_LOG_RETENTION_DAYS``.
    Returns how many were dropped; the file is replaced only when some were."""
    days = settings.SAHAYATA_LOG_RETENTION_DAYS if retention_days is None else retention_days
    path = Path(getattr(settings, "SAHAYATA_SMS_FILE", Path(settings.VAR_DIR) / "outbox-sms.log"))
    if days <= 0 or not path.is_file():
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    kept, dropped = [], 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                stamp = dt.datetime.fromisoformat(line.split("\t", 1)[0])
            except ValueError:
                stamp = None  # not a line the backend wrote: kept
            if stamp is not None and stamp.tzinfo is not None and stamp < cutoff:
                dropped += 1
            else:
                kept.append(line)
    if dropped:
        temporary = path.with_suffix(path.suffix + ".pruning")
        temporary.write_text("".join(kept), encoding="utf-8")
        os.replace(temporary, path)
    return dropped
