"""Filters of the access trail page (GET parameters ``user``, ``action``, ``case``, ``date_from``, ``date_to``).

Each is one fixed lookup; the dates are days in Paris time, both included.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tigre.audit.models import AccessLog

from ..models import Case


class AccessLogFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        return data


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(label=_("Utilisateur"), max_length=100, method="filter_user")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AccessLog.Action.choices, empty_label=_("Toutes"))
    case = django_filters.CharFilter(label=_("Référence de la demande"), max_length=20, method="filter_case")
    date_from = django_filters.DateFilter(
        label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}), method="filter_from"
    )
    date_to = django_filters.DateFilter(
        label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}), method="filter_to"
    )

    class Meta:
        model = AccessLog
        fields: tuple[str, ...] = ()
        form = AccessLogFilterForm

    def filter_user(self, queryset: QuerySet[AccessLog], name: str, value: str) -> QuerySet[AccessLog]:
        return queryset.filter(
            Q(user__email__icontains=value) | Q(user__last_name__icontains=value) | Q(user__first_name__icontains=value)
        )

    def filter_case(self, queryset: QuerySet[AccessLog], name: str, value: str) -> QuerySet[AccessLog]:
        """The trail names requests by id: the reference is looked up among the requests."""
        return queryset.filter(case_id__in=Case.objects.filter(reference__icontains=value).values("pk"))

    def filter_from(self, queryset: QuerySet[AccessLog], name: str, value: date) -> QuerySet[AccessLog]:
        return queryset.filter(at__gte=_day_start(value))

    def filter_to(self, queryset: QuerySet[AccessLog], name: str, value: date) -> QuerySet[AccessLog]:
        return queryset.filter(at__lt=_day_start(value + timedelta(days=1)))
