"""The audit trail: one append-only ``AuditEvent`` per write, hash-chained in batches.

Every service that writes records who (a staff user and role, an API token, or the
system), what (an action on an object), when, from where (IP and request id) and the
object's before and after, in the caller's transaction (``audit.services.event_record``).
Rows are never changed or deleted: ``save`` and ``delete`` of a stored row are refused
here and by database triggers (``dialect.append_only_install``). The sealer
(``audit_seal``) fills only ``content_hash``, ``seal_seq`` and ``chain_hash`` of rows not
sealed yet, as the ledger's sealer does; ``audit_prune`` deletes a sealed prefix only
after recording its head as an ``AuditCheckpoint``, so the rest still verifies.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """A stored audit row may be neither changed nor deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events are append-only")


class ActorKind(models.TextChoices):
    USER = "user", _("Staff user")
    TOKEN = "token", _("API token")
    SYSTEM = "system", _("System")


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=8, choices=ActorKind.choices)
    # Plain values, no foreign keys: an event outlives the user or token it names.
    actor_user_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    api_token_id = models.BigIntegerField(_("API token id"), null=True, blank=True)
    actor_label = models.CharField(_("system actor"), max_length=60, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # Filled once by the sealer; never again.
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    seal_seq = models.BigIntegerField(_("seal number"), null=True, blank=True, unique=True)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    # The sealer's columns: the only ones a trigger lets change, once, from empty.
    SEAL_COLUMNS = ("content_hash", "seal_seq", "chain_hash")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor_user_id", "at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events are append-only")


class AuditSeal(models.Model):
    """The chain's head: the last sealed row's number and hash (one row, pk 1), and the
    last one published outside the database (``ledgerlog.published``)."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(null=True, blank=True)
    published_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit seal")

    def __str__(self) -> str:
        return f"seal {self.last_seq}"


class AuditCheckpoint(models.Model):
    """The head of a pruned prefix: the chain resumes after ``through_seq`` from
    ``through_hash``. Append-only, as the events are."""

    id = models.BigAutoField(primary_key=True)
    through_seq = models.BigIntegerField(unique=True)
    through_hash = models.CharField(max_length=64)
    through_at = models.DateTimeField()
    pruned = models.BigIntegerField()
    retention_days = models.IntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("audit checkpoint")
        ordering = ["-through_seq"]

    def __str__(self) -> str:
        return f"checkpoint through {self.through_seq}"
