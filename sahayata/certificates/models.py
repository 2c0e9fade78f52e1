"""Certificates issued when a certificate service is approved, signed with Ed25519.

The signed payload is stored exactly as signed (canonical JSON), so verification never
depends on re-serialising rows. Revocation is a state on the row, not a deletion.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sahayata.applications.models import Application


class Certificate(models.Model):
    id = models.CharField(_("certificate ID"), max_length=16, primary_key=True)
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("application"),
    )
    holder_name_en = models.CharField(_("holder (English)"), max_length=200)
    holder_name_bn = models.CharField(_("holder (Bengali)"), max_length=200, blank=True)
    service_code = models.CharField(_("service"), max_length=40)
    service_name_en = models.CharField(_("service (English)"), max_length=200)
    service_name_bn = models.CharField(_("service (Bengali)"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    payload = models.TextField(_("signed payload"))
    signature = models.CharField(_("signature"), max_length=120)
    key_id = models.CharField(_("key ID"), max_length=16)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
