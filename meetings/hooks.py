"""What this app tells requests about scheduling (cases/hooks.py), and how it reacts to their events
(cases/signals.py). Installed once by ``MeetingsConfig.ready()`` (docs/architecture.md, "Hooks")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from cases.hooks import hooks
from cases.models import Case, CaseStatus
from cases.signals import urgent_opinion_recorded
from tigre.accounts.models import User

from .agenda.services import agenda_add_case
from .models import AgendaItem, Meeting
from .selectors import next_meeting

# A request stays "next discussed" at a meeting until three hours after its start (the meeting is running).
RUNNING_MEETING = dt.timedelta(hours=3)


def on_duty_coordinators() -> list[User]:
    """The coming meeting's coordinators (empty when there is no meeting or it names none)."""
    meeting = next_meeting()
    return list(meeting.coordinators.filter(is_active=True)) if meeting is not None else []


def referent_meeting_scope(user: User) -> Q:
    """The requests on the agendas of the meetings ``user`` is invited to."""
    items = AgendaItem.objects.filter(meeting__participants__user=user, meeting__participants__invited=True)
    return Q(pk__in=items.values("case_id"))


def next_meeting_at() -> Subquery:
    """On Case: the start of the coming (or running) meeting the request is planned at."""
    return Subquery(
        AgendaItem.objects.filter(
            case=OuterRef("pk"),
            outcome=AgendaItem.Outcome.PLANNED,
            meeting__starts_at__gte=timezone.now() - RUNNING_MEETING,
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .order_by("meeting__starts_at")
        .values("meeting__starts_at")[:1]
    )


def ratify_urgent_opinion(sender: Any, *, case: Case, by: User, **kwargs: Any) -> None:
    """An urgent opinion is ratified at the next meeting; a request already on an agenda is ratified there."""
    meeting = next_meeting()
    if (
        meeting is not None
        and case.status == CaseStatus.ACCEPTED
        and not AgendaItem.objects.filter(meeting=meeting, case=case).exists()
    ):
        agenda_add_case(meeting=meeting, case=case, by=by, kind=AgendaItem.Kind.URGENT_RATIFICATION)


def install() -> None:
    hooks.on_duty_coordinators = on_duty_coordinators
    hooks.referent_meeting_scope = referent_meeting_scope
    hooks.next_meeting_at = next_meeting_at
    urgent_opinion_recorded.connect(ratify_urgent_opinion, dispatch_uid="meetings.ratify_urgent_opinion")
