"""Filters of the CRPV's list (``PvFilter``) and of the registry (``PvPeriodFilter``), over follow-ups.

GET parameters: ``status``, ``drug``, ``category``, ``grade``, ``centre``, ``date_from``, ``date_to``, ``overdue``
(the list) and ``date_from``, ``date_to`` (the registry). Each is one fixed lookup; the period is when the
follow-up was opened (the case was discussed at TIGRE).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Drug
from referents.models import OrganCategory
from tigre.accounts.models import Centre

from .forms import BootstrapMixin
from .models import PvFollowUp, PvStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodFilterForm(BootstrapMixin, forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début de période est après la date de fin."))
        return data


class PvPeriodFilter(django_filters.FilterSet):
    """The registry's period."""

    date_from = django_filters.DateFilter(
        label=_("Du"), field_name="created_at", lookup_expr="date__gte", widget=DATE_WIDGET
    )
    date_to = django_filters.DateFilter(
        label=_("au"), field_name="created_at", lookup_expr="date__lte", widget=DATE_WIDGET
    )

    class Meta:
        model = PvFollowUp
        fields: tuple[str, ...] = ()
        form = PeriodFilterForm


class PvFilter(django_filters.FilterSet):
    """The CRPV's list."""

    status = django_filters.ChoiceFilter(label=_("Statut"), choices=PvStatus.choices, empty_label=_("Tous"))
    drug = django_filters.ModelChoiceFilter(
        label=_("Médicament"), queryset=Drug.objects.all(), empty_label=_("Tous"), method="filter_drug"
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Catégorie d'organe"),
        field_name="toxicity__event__category",
        queryset=OrganCategory.objects.all(),
        empty_label=_("Toutes"),
    )
    grade = django_filters.TypedChoiceFilter(
        label=_("Grade"),
        field_name="toxicity__grade",
        choices=[("", _("Tous"))] + [(str(g), str(g)) for g in range(1, 6)],
        coerce=int,
        empty_value=None,
    )
    centre = django_filters.ModelChoiceFilter(
        label=_("Centre"),
        field_name="toxicity__case__requester_centre",
        queryset=Centre.objects.all(),
        empty_label=_("Tous"),
    )
    date_from = django_filters.DateFilter(
        label=_("Discutée du"), field_name="created_at", lookup_expr="date__gte", widget=DATE_WIDGET
    )
    date_to = django_filters.DateFilter(
        label=_("au"), field_name="created_at", lookup_expr="date__lte", widget=DATE_WIDGET
    )
    overdue = django_filters.BooleanFilter(
        label=_("En retard seulement"), widget=forms.CheckboxInput, method="filter_overdue"
    )

    class Meta:
        model = PvFollowUp
        fields: tuple[str, ...] = ()
        form = PeriodFilterForm

    def filter_drug(self, queryset: QuerySet[PvFollowUp], name: str, value: Drug) -> QuerySet[PvFollowUp]:
        return queryset.filter(toxicity__case__in=Case.objects.filter(lines__drugs=value).values("pk"))

    def filter_overdue(self, queryset: QuerySet[PvFollowUp], name: str, value: bool) -> QuerySet[PvFollowUp]:
        """ "To declare" for longer than the reminder delay (TIGRE["PV_REMINDER_DAYS"])."""
        if not value:
            return queryset
        cutoff = timezone.now() - timedelta(days=settings.TIGRE["PV_REMINDER_DAYS"])
        return queryset.filter(status=PvStatus.TO_DECLARE, status_changed_at__lt=cutoff)

    def without_status(self) -> QuerySet[PvFollowUp]:
        """The follow-ups under every filter but the status (what the status tabs count)."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != "status":
                queryset = self.filters[name].filter(queryset, value)
        return queryset
