"""Periodic reminders about meetings (scheduled in tigre/schedule.py). Each one is idempotent: its outbox keys carry
the meeting, so running it twice sends nothing twice."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.messages import case_context
from cases.models import Case, CaseStatus, Toxicity
from referents.selectors import referents_available
from tigre.accounts.models import User
from tigre.accounts.roles import Role
from tigre.notifications.models import Notification

from .messages import Kind, notify_meeting, referent_items
from .models import AgendaItemReferent, Meeting
from .scheduling import cutoff_for, meeting_day
from .selectors import upcoming_meetings

# "Near" the cut-off: the Monday-noon run sees the Monday 23:59 cut-off 12 hours ahead.
CUTOFF_NEAR = dt.timedelta(hours=36)
# The summary runs just after a cut-off; a run later the same day still finds it.
CUTOFF_JUST_PASSED = dt.timedelta(hours=24)
# Drafts untouched for longer are abandoned, not "about to miss the cut-off".
DRAFT_RECENT = dt.timedelta(days=30)


def _meetings_after(now: dt.datetime, count: int = 3) -> list[Meeting]:
    return list(upcoming_meetings(after=now)[:count])


def _case_line(case: Case) -> dict[str, Any]:
    return {
        **case_context(case),
        "path": reverse("cases:detail", args=[case.pk]),
        "status": case.get_status_display(),
        "grade": case.highest_grade,
        "urgent": case.is_urgent,
    }


def meeting_with_cutoff_ahead(*, now: dt.datetime) -> Any:
    """The first coming meeting whose cut-off is still ahead, if it is near."""
    for meeting in _meetings_after(now):
        cutoff = cutoff_for(meeting)
        if cutoff >= now:
            return meeting if cutoff - now <= CUTOFF_NEAR else None
    return None


def meeting_with_cutoff_just_passed(*, now: dt.datetime) -> Any:
    for meeting in _meetings_after(now):
        cutoff = cutoff_for(meeting)
        if now - CUTOFF_JUST_PASSED <= cutoff <= now:
            return meeting
    return None


def reminders_incomplete_before_cutoff(*, now: dt.datetime | None = None) -> list[Notification]:
    """Tell each requester of a draft or an information-requested case that the cut-off is near (one
    message per requester and meeting, listing their cases)."""
    now = now or timezone.now()
    meeting = meeting_with_cutoff_ahead(now=now)
    if meeting is None:
        return []
    cases = (
        Case.objects.filter(
            Q(status=CaseStatus.INFO_REQUESTED) | Q(status=CaseStatus.DRAFT, updated_at__gte=now - DRAFT_RECENT)
        )
        .select_related("patient", "requester")
        .order_by("requester_id", "created_at", "pk")
    )
    by_requester: dict[int, list[Any]] = defaultdict(list)
    requesters: dict[int, Any] = {}
    for case in cases:
        by_requester[case.requester_id].append(case)
        requesters[case.requester_id] = case.requester
    cutoff = timezone.localtime(cutoff_for(meeting))
    return notify_meeting(
        kind=Kind.INCOMPLETE_BEFORE_CUTOFF,
        meeting=meeting,
        recipients=list(requesters.values()),
        context={"cutoff": cutoff.strftime("%d/%m/%Y %H:%M")},
        per_recipient={uid: {"cases": [_case_line(c) for c in lst]} for uid, lst in by_requester.items()},
        link=reverse("cases:my_cases"),
    )


def cutoff_summary_context(*, meeting: Any) -> dict[str, Any]:
    """Accepted, incomplete and untriaged requests, and the organs of the accepted ones with no available
    referent on the meeting day (quorum risk)."""
    accepted = list(
        Case.objects.filter(
            Q(status=CaseStatus.ACCEPTED) | Q(status=CaseStatus.SCHEDULED, agenda_items__meeting=meeting)
        )
        .select_related("patient")
        .distinct()
        .order_by("-urgency", "-highest_grade", "submitted_at", "pk")
    )
    info_requested = list(
        Case.objects.filter(status=CaseStatus.INFO_REQUESTED).select_related("patient").order_by("submitted_at")
    )
    to_triage = list(
        Case.objects.filter(status=CaseStatus.SUBMITTED).select_related("patient").order_by("submitted_at")
    )
    categories = set(
        Toxicity.objects.filter(case__in=[c.pk for c in accepted]).values_list("event__category_id", flat=True)
    )
    availability = referents_available(categories=sorted(categories), on=meeting_day(meeting))
    gaps = sorted((a.category for a in availability.values() if a.is_gap), key=lambda c: (c.position, c.label))
    return {
        "accepted": [_case_line(c) for c in accepted],
        "info_requested": [_case_line(c) for c in info_requested],
        "to_triage": [_case_line(c) for c in to_triage],
        "gaps": [c.label for c in gaps],
    }


def reminders_cutoff_summary(*, now: dt.datetime | None = None) -> list[Notification]:
    """The secretariat's summary just after the cut-off of the coming meeting."""
    now = now or timezone.now()
    meeting = meeting_with_cutoff_just_passed(now=now)
    if meeting is None:
        return []
    if Notification.objects.filter(
        kind=Kind.CUTOFF_SUMMARY, key__startswith=f"{Kind.CUTOFF_SUMMARY}:meeting{meeting.pk}:"
    ).exists():
        return []  # already summarised: skip the queries
    secretariat = User.objects.filter(is_active=True, groups__name=Role.SECRETARIAT).distinct()
    return notify_meeting(
        kind=Kind.CUTOFF_SUMMARY,
        meeting=meeting,
        recipients=secretariat,
        context=cutoff_summary_context(meeting=meeting),
        link=reverse("cases:triage"),
    )


def reminders_meeting_tomorrow(*, now: dt.datetime | None = None) -> list[Notification]:
    """The day before a meeting, each needed referent gets the reminder (their own cases only)."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    created: list[Notification] = []
    for meeting in _meetings_after(now):
        if timezone.localdate(meeting.starts_at) != tomorrow:  # the actual day, also for a moved meeting
            continue
        users = list(
            User.objects.filter(
                pk__in=AgendaItemReferent.objects.filter(item__meeting=meeting).values("referent__user_id")
            )
        )
        created += notify_meeting(
            kind=Kind.MEETING_REMINDER,
            meeting=meeting,
            recipients=users,
            per_recipient=referent_items(meeting=meeting, user_ids=[u.pk for u in users]),
        )
    return created
