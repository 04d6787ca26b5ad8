"""The triage queue's filters (GET parameters ``etat``, ``urgence``, ``organe``, ``centre``, ``grade``, ``q``).

Each filter is one fixed lookup: nothing the user types becomes a field name in ``filter`` or ``order_by``. A value
that is not valid is left out (the queue shows everything for it) and its French message is shown above the list.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStatus, Toxicity, Urgency
from cases.selectors import matching
from referents.models import OrganCategory
from tigre.accounts.models import Centre


class TriageFilterForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            field.widget.attrs["class"] = css
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Référence ou nom du patient"), "type": "search", "autocomplete": "off"}
        )


class TriageFilter(django_filters.FilterSet):
    etat = django_filters.ChoiceFilter(
        label=_("État"),
        field_name="status",
        empty_label=_("Tous les états"),
        choices=[
            (CaseStatus.SUBMITTED, _("Soumises")),
            (CaseStatus.INFO_REQUESTED, _("Informations demandées")),
            (CaseStatus.ACCEPTED, _("Acceptées, non inscrites")),
        ],
    )
    urgence = django_filters.ChoiceFilter(
        label=_("Urgence"),
        field_name="urgency",
        empty_label=_("Toutes"),
        choices=[(Urgency.URGENT, _("Urgentes (TAG)")), (Urgency.STANDARD, _("Standard"))],
    )
    organe = django_filters.ModelChoiceFilter(
        label=_("Organe"),
        queryset=OrganCategory.objects.filter(is_active=True),
        empty_label=_("Tous"),
        method="filter_category",
    )
    centre = django_filters.ModelChoiceFilter(
        label=_("Centre"), queryset=Centre.objects.all(), empty_label=_("Tous"), method="filter_centre"
    )
    grade = django_filters.TypedChoiceFilter(
        label=_("Grade max."),
        field_name="highest_grade",
        coerce=int,
        empty_value=None,
        choices=[("", _("Tous")), *[(str(g), str(g)) for g in range(1, 6)]],
    )
    q = django_filters.CharFilter(label=_("Recherche"), max_length=100, method="search")

    class Meta:
        model = Case
        fields: tuple[str, ...] = ()
        form = TriageFilterForm

    def filter_category(self, queryset: QuerySet[Case], name: str, value: OrganCategory) -> QuerySet[Case]:
        return queryset.filter(pk__in=Toxicity.objects.filter(event__category=value).values("case_id"))

    def filter_centre(self, queryset: QuerySet[Case], name: str, value: Centre) -> QuerySet[Case]:
        """The requester's centre, or the patient's when the requester has none."""
        return queryset.filter(
            Q(requester_centre=value) | Q(requester_centre__isnull=True, patient__treating_centre=value)
        )

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(matching(value))  # never blank here: the field strips it, blank is not filtered
