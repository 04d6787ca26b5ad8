"""Reads of meetings and agendas. Constant query counts: everything a page shows is prefetched."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.models import Case, CaseStatus, Toxicity

from .models import AgendaItem, AgendaItemReferent, Meeting, Participant
from .scheduling import cutoff_for

OPEN_MEETING_STATUSES = (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED)


def upcoming_meetings(*, after: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Planned or published meetings (not cancelled, not held) starting after ``after`` (default now)."""
    after = after or timezone.now()
    return Meeting.objects.filter(status__in=OPEN_MEETING_STATUSES, starts_at__gt=after).order_by("starts_at")


def next_meeting(*, after: dt.datetime | None = None) -> Meeting | None:
    return upcoming_meetings(after=after).first()


def meeting_for_submission(*, submitted_at: dt.datetime, urgent: bool) -> Meeting | None:
    """The meeting a request submitted at ``submitted_at`` goes to: the first whose cut-off is not past
    (Monday 23:59 Europe/Paris); an urgent request goes to the very next meeting."""
    candidates = upcoming_meetings(after=submitted_at)
    if urgent:
        return candidates.first()
    for meeting in candidates[:12]:
        if submitted_at <= cutoff_for(meeting):
            return meeting
    return None


def meetings_list(*, include_past: bool = False, today: dt.date | None = None) -> QuerySet[Meeting]:
    """The secretariat's and coordinators' list: meetings with their item counts and coordinators."""
    qs = Meeting.objects.annotate(
        item_count=Count("items", distinct=True),
        urgent_count=Count("items", filter=~Q(items__kind="standard"), distinct=True),
    ).prefetch_related("coordinators")
    if include_past:
        return qs.order_by("-starts_at")
    start = dt.datetime.combine(today or timezone.localdate(), dt.time.min, tzinfo=timezone.get_current_timezone())
    return qs.filter(starts_at__gte=start).order_by("starts_at")


def agenda_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The items of a meeting with all an agenda page shows, in a fixed number of queries."""
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("case__patient", "case__requester", "case__requester_centre")
        .prefetch_related(
            Prefetch(
                "case__toxicities",
                queryset=Toxicity.objects.select_related("event__category").order_by("-grade", "position", "pk"),
            ),
            Prefetch(
                "needed_referents",
                queryset=AgendaItemReferent.objects.select_related("referent__user", "category").order_by(
                    "category__position", "pk"
                ),
            ),
        )
        .order_by("position", "pk")
    )


@dataclass(frozen=True)
class AgendaSnapshot:
    """How many items an agenda has, and a fingerprint of everything its table shows that lives in this meeting's
    rows: the meeting's version (every agenda edit bumps it), status and times, the item count and the latest
    ``updated_at`` of the requests on it (every edit of a request, its toxicities or its patient saves it, which
    makes it the latest)."""

    count: int
    fingerprint: str


def agenda_snapshot(meeting: Meeting) -> AgendaSnapshot:
    """One aggregate query, whatever the agenda's size."""
    agg = AgendaItem.objects.filter(meeting=meeting).aggregate(count=Count("pk"), changed=Max("case__updated_at"))
    state = (
        meeting.pk,
        meeting.version,
        meeting.status,
        meeting.starts_at,
        meeting.ends_at,
        agg["count"],
        agg["changed"],
    )
    return AgendaSnapshot(
        count=agg["count"], fingerprint=hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()
    )


def agenda_cases(meeting: Meeting) -> QuerySet[AgendaItem, tuple[Any, ...]]:
    """The (case id, patient id) of the requests on an agenda: what its page traces."""
    return AgendaItem.objects.filter(meeting=meeting).order_by().values_list("case_id", "case__patient_id")


def meeting_participants_state(meeting: Meeting) -> tuple[int, int | None]:
    """How many participants a meeting has and the last one's id (they key the cached list of people)."""
    agg = Participant.objects.filter(meeting=meeting).aggregate(n=Count("pk"), last=Max("pk"))
    return agg["n"], agg["last"]


LATE_CASE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.SUBMITTED)


def late_case_candidates(q: str = "") -> QuerySet[Case]:
    """Requests that can be put on an agenda by hand (accepted, or submitted and not yet triaged), urgent ones
    first then the oldest; ``q`` matches the reference or the patient's names."""
    qs = Case.objects.filter(status__in=LATE_CASE_STATUSES)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(patient__birth_name__icontains=q)
            | Q(patient__used_name__icontains=q)
            | Q(patient__first_names__icontains=q)
        )
    return qs.select_related("patient").order_by("-urgency", "submitted_at", "pk")


def meeting_participants(meeting: Meeting) -> QuerySet[Participant]:
    return Participant.objects.filter(meeting=meeting).select_related("user").order_by("role", "user__last_name")


def meeting_invited(meeting: Meeting) -> list[tuple[str, list[Any]]]:
    """The invited people grouped by role, as (role label, users) pairs (each label translated once)."""
    labels = dict(Participant.Role.choices)
    groups: dict[str, list[Any]] = {}
    for participant in meeting_participants(meeting):
        groups.setdefault(participant.role, []).append(participant.user)
    return [(str(labels.get(role, role)), users) for role, users in groups.items()]


def meeting_get(pk: Any) -> Meeting:
    return Meeting.objects.get(pk=pk)


def meetings_to_move_to(meeting: Meeting) -> QuerySet[Meeting]:
    """Other open meetings an item can move to."""
    return upcoming_meetings().exclude(pk=meeting.pk)[:10]  # type: ignore[return-value]
