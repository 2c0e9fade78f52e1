"""Admin: the notification outbox, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sahayata.audit.admin import AuditedAdmin
from sahayata.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "kind", "reference", "status", "attempts"]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["reference", "recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
