"""Admin: the holiday calendar is editable; applications are read-only records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sahayata.applications.models import (
    Application,
    ApplicationFee,
    ApplicationHistory,
    Holiday,
)
from sahayata.audit.admin import AuditedAdmin


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["date", "name_en", "name_bn"]
    list_filter = ["date"]
    search_fields = ["name_en", "name_bn"]
    date_hierarchy = "date"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FeeInline(ReadOnlyInline):
    model = ApplicationFee
    fields = ["code", "name_en", "payee", "amount_paise"]


class HistoryInline(ReadOnlyInline):
    model = ApplicationHistory
    fields = ["at", "action", "from_state", "to_state", "actor", "actor_label", "comment"]


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin, admin.ModelAdmin):
    """Read-only: every change goes through the workflow services, with history."""

    list_display = ["number", "service", "centre", "status", "hold", "fee_paise", "due_date"]
    list_filter = ["status", "hold", "is_open", "department"]
    search_fields = ["number", "citizen__name_en", "citizen__name_bn", "citizen__mobile"]
    date_hierarchy = "submitted_at"
    inlines = [FeeInline, HistoryInline]
    list_select_related = ["service", "centre"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
