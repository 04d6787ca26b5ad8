"""The filters of "Mes demandes" (GET parameters ``status``, ``urgency``, ``q``).

``status`` is a group of statuses, named as the page names it; each group is a fixed set of ``CaseStatus``, so
nothing the user types becomes a field name in ``filter``.
"""

from __future__ import annotations

import django_filters
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Case, CaseStatus, Urgency
from .selectors import matching


class StatusGroup(models.TextChoices):
    DRAFT = "draft", _("Brouillons")
    IN_PROGRESS = "in_progress", _("En cours")
    INFO_REQUESTED = "info_requested", _("Informations demandées")
    ANSWERED = "answered", _("Avis rendu")
    ENDED = "ended", _("Retirées ou refusées")


STATUS_GROUPS: dict[str, tuple[CaseStatus, ...]] = {
    StatusGroup.DRAFT: (CaseStatus.DRAFT,),
    StatusGroup.IN_PROGRESS: (
        CaseStatus.SUBMITTED,
        CaseStatus.INFO_REQUESTED,
        CaseStatus.ACCEPTED,
        CaseStatus.SCHEDULED,
        CaseStatus.DISCUSSED,
    ),
    StatusGroup.INFO_REQUESTED: (CaseStatus.INFO_REQUESTED,),
    StatusGroup.ANSWERED: (CaseStatus.AVIS_VALIDATED, CaseStatus.CLOSED),
    StatusGroup.ENDED: (CaseStatus.WITHDRAWN, CaseStatus.DECLINED),
}


class MyCasesFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=StatusGroup.choices, empty_label=_("Tous"), method="filter_status_group"
    )
    urgency = django_filters.ChoiceFilter(label=_("Urgence"), choices=Urgency.choices, empty_label=_("Toutes"))
    q = django_filters.CharFilter(label=_("Recherche"), max_length=100, method="search")

    class Meta:
        model = Case
        fields: tuple[str, ...] = ()

    def filter_status_group(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(status__in=STATUS_GROUPS[value])

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(matching(value))
