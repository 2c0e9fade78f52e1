"""Admin for districts, blocks and municipalities, and centres."""

from __future__ import annotations

from django.contrib import admin

from sahayata.audit.admin import AuditedAdmin
from sahayata.core.admin import AdminFonts
from sahayata.places.models import Block, Centre, District


@admin.register(District)
class DistrictAdmin(AuditedAdmin, AdminFonts):
    list_display = ["code", "name_en", "name_bn"]
    search_fields = ["code", "name_en", "name_bn"]


@admin.register(Block)
class BlockAdmin(AuditedAdmin, AdminFonts):
    list_display = ["code", "name_en", "name_bn", "kind", "district"]
    list_filter = ["kind", "district"]
    search_fields = ["code", "name_en", "name_bn"]
    autocomplete_fields = ["district"]


@admin.register(Centre)
class CentreAdmin(AuditedAdmin, AdminFonts):
    list_display = ["code", "name_en", "name_bn", "kind", "district", "block", "is_active"]
    list_filter = ["kind", "is_active", "district"]
    search_fields = ["code", "name_en", "name_bn", "address", "pin_code"]
    autocomplete_fields = ["district", "block"]
    list_select_related = ["district", "block"]
