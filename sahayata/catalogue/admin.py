"""Admin for the catalogue. Saving a service publishes it: a new immutable version when
its definition changed. Versions are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sahayata.audit.admin import AuditedAdmin
from sahayata.catalogue.models import (
    Department,
    FeeHead,
    FormField,
    RequiredDocument,
    Service,
    ServiceVersion,
)
from sahayata.catalogue.services import service_publish
from sahayata.core.admin import AdminFonts
from sahayata.core.errors import DomainError


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin, AdminFonts):
    list_display = ["code", "short_name", "name_en", "name_bn"]
    search_fields = ["code", "short_name", "name_en", "name_bn"]


class FeeHeadInline(admin.TabularInline):
    model = FeeHead
    extra = 0
    fields = ["position", "code", "name_en", "name_bn", "amount_paise", "amount_from_field",
              "payee"]  # fmt: skip


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0
    formfield_overrides = {
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 24})}
    }
    fields = ["position", "name", "type", "required", "label_en", "label_bn", "choices",
              "pattern", "max_length", "example"]  # fmt: skip


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ["position", "code", "name_en", "name_bn", "mandatory"]


class ServiceVersionInline(admin.TabularInline):
    model = ServiceVersion
    extra = 0
    fields = ["version", "published_at", "published_by"]
    readonly_fields = ["version", "published_at", "published_by"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(AuditedAdmin, AdminFonts):
    list_display = ["code", "name_en", "name_bn", "department", "kind", "workflow_code",
                    "time_limit_days", "current_version", "is_active"]  # fmt: skip
    list_filter = ["kind", "workflow_code", "issues_certificate", "is_active", "department"]
    search_fields = ["code", "name_en", "name_bn"]
    autocomplete_fields = ["department"]
    readonly_fields = ["current_version"]
    list_select_related = ["department"]
    inlines = [FeeHeadInline, FormFieldInline, RequiredDocumentInline, ServiceVersionInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        super().save_related(request, form, formsets, change)
        service = form.instance
        before = service.current_version
        try:
            version = service_publish(service=service, actor=request.user)  # type: ignore[arg-type]
        except DomainError as exc:
            # The edit is kept but not published: applications keep using the last version.
            messages.error(request, _("Saved but not published: %(problem)s") % {
                "problem": exc.message})  # fmt: skip
            return
        if version.version != before:
            messages.info(request, _("Published as version %(version)d.") % {
                "version": version.version})  # fmt: skip


@admin.register(ServiceVersion)
class ServiceVersionAdmin(AuditedAdmin, AdminFonts):
    list_display = ["service", "version", "published_at", "published_by"]
    list_filter = ["service__department"]
    search_fields = ["service__code", "service__name_en", "service__name_bn"]
    readonly_fields = ["service", "version", "definition", "published_at", "published_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceVersion]:
        return super().get_queryset(request).select_related("service")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
