"""Admin: adapter calls and simulated back-end records, read-only (for support)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sahayata.integrations.models import AdapterCall, SimulatedRemoteRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AdapterCall)
class AdapterCallAdmin(ReadOnlyAdmin):
    list_display = ["reference", "adapter_code", "state", "attempts", "created_at", "deadline_at"]
    list_filter = ["adapter_code", "state"]
    search_fields = ["reference", "external_reference"]


@admin.register(SimulatedRemoteRecord)
class SimulatedRemoteRecordAdmin(ReadOnlyAdmin):
    list_display = ["reference", "adapter_code", "status", "amount_paise", "created_at"]
    list_filter = ["adapter_code", "status"]
    search_fields = ["reference"]
