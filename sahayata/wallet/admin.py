"""Admin: read-only views of the ledger (transfers are immutable; corrections are transfers)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sahayata.wallet.models import Account, TopUp, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "centre", "department", "hot", "debits_must_not_exceed_credits"]
    list_filter = ["kind", "hot"]
    search_fields = ["code"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "code",
        "debit_account",
        "credit_account",
        "amount_paise",
        "created_at",
    ]
    list_filter = ["kind", "code"]
    search_fields = ["reference", "id"]
    date_hierarchy = "created_at"
    list_select_related = ["debit_account", "credit_account"]


@admin.register(TopUp)
class TopUpAdmin(ReadOnlyAdmin):
    list_display = [
        "bank_reference",
        "centre",
        "amount_paise",
        "status",
        "requested_by",
        "decided_by",
    ]
    list_filter = ["status"]
    search_fields = ["bank_reference", "centre__code"]
