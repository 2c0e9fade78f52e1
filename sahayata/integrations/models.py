"""Calls to department and biller back ends, and the simulated back ends' own records.

An ``AdapterCall`` row is written (state pending) in the same transaction that holds the
money, *before* any back end is called. The call itself happens after commit, outside any
transaction. If the process dies between "the back end said yes" and "we posted", the
row is still pending and ``manage.py integrations_reconcile`` asks the back end again by
our reference (every adapter is idempotent by reference) and settles it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sahayata.core.ids import uuid7


class AdapterCall(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")  # recorded, back end not (known to be) asked yet
        ACCEPTED = "accepted", _("Accepted, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    adapter_code = models.CharField(_("adapter"), max_length=40)
    reference = models.CharField(_("our reference"), max_length=60)
    amount_paise = models.PositiveBigIntegerField(_("amount (paise)"), default=0)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    external_reference = models.CharField(_("back-end reference"), max_length=80, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # After this moment an unconfirmed call is cancelled at the back end and the fee refunded.
    deadline_at = models.DateTimeField(_("confirm by"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("adapter call")
        verbose_name_plural = _("adapter calls")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["adapter_code", "reference"], name="adaptercall_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.adapter_code}:{self.reference}"


class SimulatedRemoteRecord(models.Model):
    """What a *simulated* back end remembers, keyed by our reference (its idempotency key).

    In production these rows live in the department's or biller's system; here they make
    the simulated adapters behave like real ones across retries and restarts.
    """

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    adapter_code = models.CharField(_("adapter"), max_length=40)
    reference = models.CharField(_("reference"), max_length=60)
    external_reference = models.CharField(_("back-end reference"), max_length=80)
    amount_paise = models.PositiveBigIntegerField(_("amount (paise)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirm_after = models.DateTimeField(_("confirms after"), null=True, blank=True)

    class Meta:
        verbose_name = _("simulated back-end record")
        verbose_name_plural = _("simulated back-end records")
        constraints = [
            models.UniqueConstraint(
                fields=["adapter_code", "reference"], name="simremote_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.adapter_code}:{self.reference} {self.status}"
