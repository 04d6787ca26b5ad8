"""Admin: the ICI catalogue is edited here.

Requests, patients, avis and attachments are deliberately absent: patient data are read only through the app's
own pages, which check the reader's scope, apply the pseudonymisation policy and write the access trail
(docs/privacy.md)."""

from __future__ import annotations

from django.contrib import admin

from .models import Drug


@admin.register(Drug)
class DrugAdmin(admin.ModelAdmin):
    list_display = ["name", "target", "atc_code", "is_biologic", "is_active"]
    list_filter = ["target", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "atc_code"]
