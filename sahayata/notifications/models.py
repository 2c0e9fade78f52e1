"""The notification outbox: rows written in the same transaction as what they announce.

A row is sent after commit (``transaction.on_commit``); anything left over (a crash, a
gateway outage) is sent by ``manage.py notifications_send``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sahayata.core.ids import uuid7


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    kind = models.CharField(_("kind"), max_length=40)
    reference = models.CharField(_("reference"), max_length=60, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.reference} {self.status}"
