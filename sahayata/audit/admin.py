"""``AuditedAdmin``: a ModelAdmin whose every add, change and delete records an audit event
(before and after, in the admin's own transaction), and a read-only view of the trail.

Every ModelAdmin of the project through which a person can write inherits it (with
``AdminFonts``), so that an edit in the admin leaves the same trace as one in a service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from sahayata.audit.models import AuditEvent
from sahayata.audit.services import event_record


def _audited(obj: models.Model) -> dict[str, Any]:
    """The stored values of ``obj``'s concrete fields (``event_record`` scrubs secrets)."""
    return {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}


def _stored(obj: models.Model) -> dict[str, Any] | None:
    if obj.pk is None:
        return None
    found = type(obj)._default_manager.filter(pk=obj.pk).first()
    return _audited(found) if found is not None else None


class AuditedAdmin(admin.ModelAdmin):
    def _record(
        self,
        request: HttpRequest,
        obj: models.Model,
        verb: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        event_record(
            action=f"{obj._meta.model_name}.admin_{verb}",
            object_type=str(obj._meta.model_name),
            object_id=str(obj.pk),
            actor=request.user,
            before=before,
            after=after,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _stored(obj) if change else None
            super().save_model(request, obj, form, change)
            self._record(request, obj, "change" if change else "add", before, _audited(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            before = _audited(obj)
            pk = obj.pk
            super().delete_model(request, obj)
            obj.pk = pk
            self._record(request, obj, "delete", before, None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            doomed = list(queryset)
            super().delete_queryset(request, queryset)
            for obj, pk in ((obj, obj.pk) for obj in doomed):
                obj.pk = pk
                self._record(request, obj, "delete", _audited(obj), None)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is browsed here or in the auditor's console, never edited."""

    list_display = ["id", "at", "action", "object_type", "object_id", "actor_username", "ip"]
    list_filter = ["actor_kind", "object_type"]
    search_fields = ["action", "object_id", "actor_username", "request_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
