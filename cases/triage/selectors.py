"""The triage queue: requests waiting for the secretariat, urgent ones pinned on top, oldest first.

Filters arrive already validated by ``TriageFilterForm``; each maps to one fixed lookup here, so nothing the
user types ever becomes a field name in ``filter`` or ``order_by``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from cases.models import Case, CaseMessage, CaseStatus, Patient, Toxicity, Urgency
from cases.selectors import matching

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


@dataclass(frozen=True)
class TriageFilters:
    status: str = ""
    urgency: str = ""
    category: Any = None
    centre: Any = None
    grade: int | None = None
    q: str = ""


def triage_queue(filters: TriageFilters | None = None) -> QuerySet[Case]:
    f = filters or TriageFilters()
    qs = Case.objects.filter(status__in=TRIAGE_STATUSES)
    if f.status in TRIAGE_STATUSES:
        qs = qs.filter(status=f.status)
    if f.urgency in Urgency.values:
        qs = qs.filter(urgency=f.urgency)
    if f.category is not None:
        qs = qs.filter(pk__in=Toxicity.objects.filter(event__category=f.category).values("case_id"))
    if f.centre is not None:
        qs = qs.filter(
            Q(requester_centre=f.centre) | Q(requester_centre__isnull=True, patient__treating_centre=f.centre)
        )
    if f.grade is not None:
        qs = qs.filter(highest_grade=f.grade)
    if f.q:
        qs = qs.filter(matching(f.q))
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
