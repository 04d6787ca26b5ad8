"""Admin for administrators: centres (FINESS checked), the taxonomy (categories and events), referents."""

from __future__ import annotations

from django.contrib import admin

from tigre.accounts.models import Centre

from .forms import CentreForm
from .models import Absence, Coverage, Guideline, OrganCategory, Referent, ToxicityEvent


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    form = CentreForm
    list_display = ["name", "city", "kind", "finess"]
    list_filter = ["kind"]
    search_fields = ["name", "city", "finess"]


class ToxicityEventInline(admin.TabularInline):
    model = ToxicityEvent
    extra = 0
    fields = ["code", "label", "ctcae_term", "urgent_at_any_grade", "stop_at_any_grade", "position", "is_active"]


@admin.register(OrganCategory)
class OrganCategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "specialty", "position", "is_active"]
    list_editable = ["position", "is_active"]
    inlines = [ToxicityEventInline]


@admin.register(ToxicityEvent)
class ToxicityEventAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "category", "ctcae_term", "urgent_at_any_grade", "stop_at_any_grade", "is_active"]
    list_filter = ["category", "urgent_at_any_grade", "stop_at_any_grade", "is_active"]
    list_select_related = ["category"]
    search_fields = ["label", "code", "ctcae_term"]


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0
    fields = ["start", "end", "reason"]


@admin.register(Referent)
class ReferentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "specialty", "centre", "is_active", "takes_urgent"]
    list_filter = ["is_active", "takes_urgent", "specialty", "centre"]
    list_select_related = ["user", "centre"]
    search_fields = ["user__last_name", "user__first_name", "user__email"]
    raw_id_fields = ["user"]
    inlines = [CoverageInline, AbsenceInline]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["referent", "start", "end", "reason"]
    list_select_related = ["referent__user"]
    date_hierarchy = "start"


@admin.register(Guideline)
class GuidelineAdmin(admin.ModelAdmin):
    """The guideline summaries shown beside the avis form (docs/domain.md#guidelines-beside-the-avis). Rows come
    from referents/fixtures/guidelines.json; a correction made here stays until a new version of the file."""

    list_display = ["category", "grades", "source", "section", "version", "is_active"]
    list_filter = ["source", "category", "is_active", "version"]
    list_select_related = ["category"]
    search_fields = ["summary", "section"]
    fields = ["category", "grade_min", "grade_max", "source", "section", "summary", "version", "position", "is_active"]
