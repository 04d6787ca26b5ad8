from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

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

    # Least privilege (docs/domain.md#roles): only a superuser grants superuser or staff status, groups (the roles)
    # or permissions; anyone else sees them read-only, so a posted value for them is ignored by the form.
    PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return (*readonly, *self.PRIVILEGE_FIELDS)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        # A non-superuser may not change a superuser's account (its e-mail or password would hand it over).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser and change:
            # Belt and braces: whatever the form carried, a non-superuser's save keeps the stored privileges.
            stored = User.objects.get(pk=obj.pk)
            obj.is_staff, obj.is_superuser = stored.is_staff, stored.is_superuser
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


class TOTPDeviceAdmin(admin.ModelAdmin):
    """The second factors, without their secret: the key is never shown after enrolment (it is shown once, to its
    owner, on the enrolment page). An administrator may only see that a device exists and delete it (a lost
    phone), which makes its owner enrol again at the next login."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__last_name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


# django-otp registers its own admin, which shows the TOTP key (and its QR code) to whoever may change a device.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)


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
