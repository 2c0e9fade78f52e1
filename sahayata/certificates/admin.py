"""Admin: certificates are read-only; revocation is an action that records who and why."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sahayata.audit.admin import AuditedAdmin
from sahayata.certificates.models import Certificate
from sahayata.certificates.services import certificate_revoke
from sahayata.core.errors import DomainError
from sahayata.people.roles import staff_user


@admin.register(Certificate)
class CertificateAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["id", "holder_name_en", "service_code", "issued_at", "revoked_at"]
    list_filter = ["service_code", "revoked_at"]
    search_fields = ["id", "holder_name_en", "holder_name_bn", "application__number"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(
        description=_("Revoke the selected certificates (reason: revoked by administrator)")
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> None:
        user = staff_user(request.user)
        done = 0
        for certificate in queryset:
            try:
                certificate_revoke(
                    certificate=certificate, actor=user, reason=str(_("Revoked by administrator"))
                )
                done += 1
            except DomainError as error:
                self.message_user(request, f"{certificate.id}: {error.message}", messages.WARNING)
        self.message_user(request, _("%(n)d revoked.") % {"n": done})
