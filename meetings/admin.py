"""Admin for meetings: read-mostly. The agenda is edited through its pages (services keep the version,
the case statuses and the notifications consistent), so agenda items and invitations are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AgendaItem, AgendaItemReferent, Meeting, Participant


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    can_delete = False
    fields = ("position", "slot_start", "case", "kind", "placed_manually", "outcome")
    readonly_fields = fields
    ordering = ("position",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("case")


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    can_delete = False
    fields = ("user", "role", "invited", "present")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("user")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "status", "holiday_name", "planned_date", "version")
    list_filter = ("status",)
    date_hierarchy = "starts_at"
    filter_horizontal = ("coordinators",)
    readonly_fields = (
        "status",
        "planned_date",
        "version",
        "published_at",
        "validated_at",
        "validated_by",
        "cancelled_reason",
        "moved_reason",
        "created_at",
    )
    fields = ("starts_at", "ends_at", "video_url", "holiday_name", "coordinators", *readonly_fields)
    inlines = [AgendaItemInline, ParticipantInline]


@admin.register(AgendaItemReferent)
class AgendaItemReferentAdmin(admin.ModelAdmin):
    list_display = ("item", "category", "referent")
    list_select_related = ("item__meeting", "category", "referent__user")
    readonly_fields = ("item", "category", "referent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
