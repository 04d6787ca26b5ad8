from __future__ import annotations

from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient", "to_address", "relay", "state", "attempts", "sent_at", "read_at")
    list_filter = ("state", "kind")  # kind: the code of the sending app
    search_fields = ("key", "recipient__email", "to_address", "subject")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # messages are written by the services only
