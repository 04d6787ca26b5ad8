"""Admin: the ICI catalogue is edited here; requests are read-only (they change only through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Case, Drug, StatusChange


@admin.register(Drug)
class DrugAdmin(admin.ModelAdmin):
    list_display = ["name", "target", "atc_code", "is_biologic", "is_active"]
    list_filter = ["target", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "atc_code"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "by", "reason")
    readonly_fields = ("at", "from_status", "to_status", "by", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: a status changes only through cases.workflow, which records who, when and why."""

    list_display = ["__str__", "status", "urgency", "highest_grade", "requester", "submitted_at"]
    list_filter = ["status", "urgency"]
    search_fields = ["reference"]
    list_select_related = ["requester"]
    inlines = [StatusChangeInline]
    exclude = ["draft_data"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
