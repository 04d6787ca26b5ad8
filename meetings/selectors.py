"""Reads of meetings: the coming ones, the one a request goes to, the lists, who may see which.

The agenda's reads are in agenda/selectors.py, the session's in session/selectors.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tigre.accounts.models import User
from tigre.accounts.roles import Role

from .models import AgendaItem, Meeting, Participant

OPEN_MEETING_STATUSES = (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED)
# Who builds and edits agendas and chairs: the secretariat and the coordinators; moving or cancelling a meeting is the
# secretariat's alone (``can_reschedule``).
MEETING_EDITORS = (Role.SECRETARIAT, Role.COORDINATOR)


def upcoming_meetings(*, after: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Planned or published meetings (not cancelled, not held) starting after ``after`` (default now)."""
    after = after or timezone.now()
    return Meeting.objects.filter(status__in=OPEN_MEETING_STATUSES, starts_at__gt=after).order_by("starts_at")


def next_meeting(*, after: dt.datetime | None = None) -> Meeting | None:
    return upcoming_meetings(after=after).first()


def meetings_list(*, include_past: bool = False, today: dt.date | None = None) -> QuerySet[Meeting]:
    """The secretariat's and coordinators' list: meetings with their item counts and coordinators."""
    qs = Meeting.objects.annotate(
        item_count=Count("items", distinct=True),
        urgent_count=Count("items", filter=~Q(items__kind=AgendaItem.Kind.STANDARD), distinct=True),
    ).prefetch_related("coordinators")
    if include_past:
        return qs.order_by("-starts_at")
    start = dt.datetime.combine(today or timezone.localdate(), dt.time.min, tzinfo=timezone.get_current_timezone())
    return qs.filter(starts_at__gte=start).order_by("starts_at")


def meeting_participants(meeting: Meeting) -> QuerySet[Participant]:
    return Participant.objects.filter(meeting=meeting).select_related("user").order_by("role", "user__last_name")


def meeting_invited(meeting: Meeting) -> list[tuple[str, list[Any]]]:
    """The invited people grouped by role, as (role label, users) pairs (each label translated once)."""
    labels = dict(Participant.Role.choices)
    groups: dict[str, list[Any]] = {}
    for participant in meeting_participants(meeting):
        groups.setdefault(participant.role, []).append(participant.user)
    return [(str(labels.get(role, role)), users) for role, users in groups.items()]


def meeting_or_404(pk: int | str, queryset: QuerySet[Meeting] | None = None) -> Meeting:
    """The meeting ``pk`` (from ``queryset``, default all meetings), or 404 for an unknown or malformed id."""
    try:
        return (queryset if queryset is not None else Meeting.objects.all()).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_reschedule(user: User) -> bool:
    """Moving or cancelling a meeting: the secretariat (and administrators)."""
    return bool(user.is_superuser or user.has_role(Role.SECRETARIAT))


def meetings_to_move_to(meeting: Meeting) -> QuerySet[Meeting]:
    """Other open meetings an item can move to."""
    return upcoming_meetings().exclude(pk=meeting.pk)[:10]  # type: ignore[return-value]


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Secretariat, coordinators and the CRPV see every meeting; anyone else only those they take part in."""
    qs = Meeting.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or user.has_role(Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE):
        return qs
    ids = Meeting.objects.filter(Q(participants__user=user) | Q(coordinators=user)).values("pk")
    return qs.filter(pk__in=ids)


def get_meeting_for_user(user: User, pk: int | str) -> Meeting:
    """A meeting the user may see (``meetings_visible_to``), else 404."""
    return meeting_or_404(pk, meetings_visible_to(user))
