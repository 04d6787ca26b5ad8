"""Reads of meetings and agendas. Constant query counts: everything a page shows is prefetched."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case, CaseStatus, Toxicity
from cases.selectors import matching

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

    @classmethod
    def of(cls, meeting: Meeting, count: int, changed: dt.datetime | None) -> AgendaSnapshot:
        # Timestamps as ISO text: one form whichever way the database handed them back.
        times = (meeting.starts_at, meeting.ends_at, changed)
        state = (meeting.pk, meeting.version, meeting.status, count, *(t.isoformat() if t else "" for t in times))
        return cls(count=count, fingerprint=hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest())


@dataclass(frozen=True)
class MeetingPageState:
    """What the meeting page needs before its cached parts: the requests on the agenda as (case id, patient id)
    (the page traces each), the agenda's snapshot, and the participants' count and last id (they key the cached
    list of people: people added during the session change them)."""

    cases: list[tuple[int, int]]
    snapshot: AgendaSnapshot
    participants: tuple[int, int | None]


def meeting_page_state(meeting: Meeting) -> MeetingPageState:
    """One round trip whatever the agenda's size (two for an empty agenda). Written in SQL: the meeting page is
    the most viewed page of the service and the ORM's query building cost more than the query itself."""
    quote = connection.ops.quote_name
    items, cases, people = (quote(m._meta.db_table) for m in (AgendaItem, Case, Participant))
    participants = f"FROM {people} p WHERE p.meeting_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.case_id, c.patient_id, c.updated_at, (SELECT COUNT(*) {participants}), "  # noqa: S608
            f"(SELECT MAX(p.id) {participants}) FROM {items} i JOIN {cases} c ON c.id = i.case_id "
            "WHERE i.meeting_id = %s",
            [meeting.pk, meeting.pk, meeting.pk],
        )
        rows = cursor.fetchall()
        if not rows:
            cursor.execute(f"SELECT COUNT(*), MAX(p.id) {participants}", [meeting.pk])
            count, last = cursor.fetchone()
        else:
            count, last = rows[0][3], rows[0][4]
    changed = max((row[2] for row in rows), default=None)
    # SQLite hands timestamps back naive (UTC), as text or not: one form for the fingerprint.
    changed = parse_datetime(changed) if isinstance(changed, str) else changed
    if changed is not None and timezone.is_naive(changed):
        changed = changed.replace(tzinfo=dt.UTC)
    return MeetingPageState(
        cases=[(row[0], row[1]) for row in rows],
        snapshot=AgendaSnapshot.of(meeting, len(rows), changed),
        participants=(count, last),
    )


LATE_CASE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.SUBMITTED)


def late_case_candidates(q: str = "") -> QuerySet[Case]:
    """Requests that can be put on an agenda by hand (accepted, or submitted and not yet triaged), urgent ones
    first then the oldest; ``q`` matches the reference or the patient's names."""
    qs = Case.objects.filter(status__in=LATE_CASE_STATUSES)
    q = q.strip()
    if q:
        qs = qs.filter(matching(q))
    return qs.select_related("patient").order_by("-urgency", "submitted_at", "pk")


def agenda_item_get(meeting: Meeting, item_pk: Any) -> AgendaItem | None:
    """One item of this meeting's agenda (None for another meeting's item or an unknown one)."""
    return AgendaItem.objects.select_related("case").filter(meeting=meeting, pk=item_pk).first()


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
