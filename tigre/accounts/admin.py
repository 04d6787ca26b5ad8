from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import PscAccessRequest, PscDevice, User
from .services import user_sessions_end


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("last_name", "first_name")
    list_display = ("email", "last_name", "first_name", "specialty", "centre", "is_active")
    list_filter = ("is_active", "groups", "specialty")
    search_fields = ("email", "last_name", "first_name", "rpps")
    list_select_related = ("centre",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profil"),
            {"fields": ("title", "first_name", "last_name", "specialty", "centre", "phone", "rpps", "mssante_address")},
        ),
        (_("Rôles et droits"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_sessions_end(user=obj)

    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )


@admin.register(PscDevice)
class PscDeviceAdmin(admin.ModelAdmin):
    """Read-only: the record of an account's Pro Santé Connect logins. Deleting it makes the next PSC login a first
    link again (family name checked)."""

    list_display = ("user", "national_id", "linked_at", "last_login_at", "last_acr", "last_auth_mode")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__last_name", "national_id")
    readonly_fields = (
        "user",
        "name",
        "confirmed",
        "national_id",
        "sub",
        "linked_at",
        "last_login_at",
        "last_acr",
        "last_auth_mode",
        "last_card_level",
    )

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PscAccessRequest)
class PscAccessRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "family_name", "given_name", "rpps", "status", "linked_user")
    list_filter = ("status", "reason")
    list_select_related = ("linked_user",)
    search_fields = ("family_name", "rpps", "email")
    readonly_fields = (
        "created_at",
        "rpps",
        "given_name",
        "family_name",
        "profession",
        "reason",
        "decided_at",
        "decided_by",
        "linked_user",
    )
