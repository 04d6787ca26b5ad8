"""Reads of the agenda page: its rows, its state in one round trip, the late requests that can be added, one item.

Constant query counts: everything a page shows is read in a fixed number of queries whatever the agenda's size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case, CaseStatus, Toxicity
from cases.selectors import matching
from meetings.models import AgendaItem, AgendaItemReferent, Meeting, Participant


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
