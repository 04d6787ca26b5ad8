"""The triage queue: requests waiting for the secretariat, urgent ones pinned on top, oldest first.

The queue's filters are a FilterSet (``filters.TriageFilter``) over ``triage_cases()``; ``triage_queue`` then
orders what is left and loads what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import Count, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from cases import rules
from cases.models import Case, CaseMessage, CaseStatus, Patient, Toxicity, Urgency

TRIAGE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.INFO_REQUESTED, CaseStatus.ACCEPTED)
# The statuses each triage action starts from: the views refuse the others, the pages offer only these.
ACCEPT_FROM = (CaseStatus.SUBMITTED,)
REQUEST_INFO_FROM = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
SCHEDULE_FROM = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
DECLINE_FROM = TRIAGE_STATUSES


@dataclass(frozen=True)
class TriageActions:
    """What the secretariat may do with a request now (the templates test these, never a status value)."""

    accept: bool
    request_info: bool
    schedule: bool
    decline: bool

    @property
    def any(self) -> bool:
        return self.accept or self.request_info or self.schedule or self.decline


def triage_actions(case: Case) -> TriageActions:
    return TriageActions(
        accept=case.status in ACCEPT_FROM,
        request_info=case.status in REQUEST_INFO_FROM,
        schedule=case.status in SCHEDULE_FROM,
        decline=case.status in DECLINE_FROM,
    )


def tag_unclaimed(case: Case) -> list[str]:
    """The toxicities of a request not marked urgent that meet the TAG criterion (grade 3 or more, or an event
    urgent at any grade), as "Colite G3", for triage to flag; [] when marked urgent or none does. Reads the
    toxicities already fetched (``triage_queue`` prefetches them with their events). docs/domain.md#tag-criteria"""
    if case.is_urgent:
        return []
    prefetched = "toxicities" in getattr(case, "_prefetched_objects_cache", {})
    toxicities = case.toxicities.all() if prefetched else case.toxicities.select_related("event")
    labels = []
    for event, grade in rules.tag_qualifying(toxicities):
        name = event.label if event is not None else "—"
        labels.append(f"{name} G{grade}" if grade else name)
    return labels


def triage_cases() -> QuerySet[Case]:
    """Every request waiting for the secretariat (what the queue's filters narrow)."""
    return Case.objects.filter(status__in=TRIAGE_STATUSES)


def triage_queue(cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """``cases`` (by default the whole queue) urgent first, then oldest first, with what each row shows."""
    qs = triage_cases() if cases is None else cases
    return (
        qs.annotate(
            urgent_rank=SqlCase(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1)),
        )
        .select_related("requester", "requester_centre")
        .prefetch_related(
            # Fetched for the page only: joined here, the sort over the queue would hash all 100,000 patients.
            Prefetch("patient", queryset=Patient.objects.select_related("treating_centre")),
            Prefetch(
                "toxicities",
                queryset=Toxicity.objects.select_related("event__category").order_by("-grade", "position", "pk"),
            ),
            Prefetch(
                "messages",
                queryset=CaseMessage.objects.filter(kind=CaseMessage.Kind.INFO_REQUEST).order_by("-created_at"),
                to_attr="info_requests",
            ),
        )
        .order_by("urgent_rank", Coalesce("submitted_at", "created_at").asc(), "pk")
    )


def triage_counts() -> dict[str, int]:
    """How many requests wait in each state, and how many are urgent (one query)."""
    row = Case.objects.filter(status__in=TRIAGE_STATUSES).aggregate(
        submitted=Count("pk", filter=Q(status=CaseStatus.SUBMITTED)),
        info_requested=Count("pk", filter=Q(status=CaseStatus.INFO_REQUESTED)),
        accepted=Count("pk", filter=Q(status=CaseStatus.ACCEPTED)),
        urgent=Count("pk", filter=Q(urgency=Urgency.URGENT)),
    )
    return {k: int(v or 0) for k, v in row.items()}
