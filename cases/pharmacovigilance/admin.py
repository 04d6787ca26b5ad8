from __future__ import annotations

from django.contrib import admin

from .models import PvFollowUp, PvStatusChange


class PvStatusChangeInline(admin.TabularInline):
    model = PvStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "by", "at", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PvFollowUp)
class PvFollowUpAdmin(admin.ModelAdmin):
    """Read-only: statuses change through the CRPV workspace, where each change is recorded."""

    list_display = ("toxicity", "status", "status_changed_at", "declared_on", "crpv_reference")
    list_filter = ("status",)
    readonly_fields = (
        "toxicity",
        "status",
        "status_changed_at",
        "declared_on",
        "crpv_reference",
        "declarer",
        "not_declare_reason",
        "created_at",
    )
    inlines = [PvStatusChangeInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
