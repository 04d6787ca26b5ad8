"""Writes on meetings themselves: created ahead every Wednesday, cancelled, moved, their coordinators.

The agenda's writes are in agenda/services.py, the session's in session/services.py; all of them start with
``meeting_lock`` (lock.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tigre.accounts.models import User
from tigre.accounts.roles import Role

from .agenda.services import agenda_items_move, slots_recompute
from .lock import MeetingError, meeting_lock
from .models import Meeting, Participant
from .scheduling import holiday_names, meeting_bounds, meeting_dates_ahead, meeting_day, paris, video_url_for
from .selectors import next_meeting


@transaction.atomic
def meetings_create_ahead(*, weeks: int = 8, today: dt.date | None = None) -> list[Meeting]:
    """Create the meetings of the next ``weeks`` Wednesdays that do not exist yet; return those created.

    Idempotent: a week already has its meeting when one is planned for that Wednesday (even if it was moved
    to another day or cancelled) or when one starts at that Wednesday's time. French public holidays are
    flagged in ``holiday_name``; the secretariat then cancels or moves the meeting.
    """
    today = today or timezone.localdate()
    days = meeting_dates_ahead(weeks=weeks, today=today)
    if days and days[0] == timezone.localdate() and meeting_bounds(days[0])[0] <= timezone.now():
        # Today's meeting time has passed (e.g. the task runs on Wednesday evening): start next week.
        days = meeting_dates_ahead(weeks=weeks, today=today + dt.timedelta(days=1))
    if not days:
        return []
    bounds = {d: meeting_bounds(d) for d in days}
    existing = Meeting.objects.filter(Q(planned_date__in=days) | Q(starts_at__in=[b[0] for b in bounds.values()]))
    taken: set[dt.date] = set()
    for meeting in existing.only("planned_date", "starts_at"):
        taken.add(meeting.planned_date or timezone.localtime(meeting.starts_at, paris()).date())
    names = holiday_names(days)
    fresh = [
        Meeting(
            planned_date=d,
            starts_at=bounds[d][0],
            ends_at=bounds[d][1],
            video_url=video_url_for(d),
            holiday_name=names.get(d, ""),
        )
        for d in days
        if d not in taken
    ]
    if not fresh:
        return []
    # ignore_conflicts: two runs at once (beat and a command) create each meeting once.
    Meeting.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(Meeting.objects.filter(planned_date__in=[m.planned_date for m in fresh]).order_by("starts_at"))
    _name_default_coordinators([m for m in created if not m.coordinators.exists()])
    return created


def default_coordinators() -> list[User]:
    """The two coordinators a new meeting names (the board works with two; the secretariat may change them):
    those of the setting ``TIGRE["DEFAULT_COORDINATORS"]`` (e-mails), else the first two active coordinators."""
    users = User.objects.filter(is_active=True, groups__name=Role.COORDINATOR).distinct()
    emails = [e.lower() for e in settings.TIGRE.get("DEFAULT_COORDINATORS") or []]
    if emails:
        users = users.filter(email__in=emails)
    return list(users.order_by("last_name", "first_name", "pk")[:2])


def _name_default_coordinators(meetings: list[Meeting]) -> None:
    chairs = default_coordinators() if meetings else []
    if not chairs:
        return
    Through = Meeting.coordinators.through
    Through.objects.bulk_create(
        [Through(meeting_id=m.pk, user_id=u.pk) for m in meetings for u in chairs], ignore_conflicts=True
    )
    Participant.objects.bulk_create(
        [Participant(meeting=m, user=u, role=Participant.Role.COORDINATOR) for m in meetings for u in chairs],
        ignore_conflicts=True,
    )


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str, expected_version: int | None = None) -> Meeting:
    """Cancel a meeting (e.g. a public holiday). Its cases go to the next meeting; their requesters are told."""
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Indiquez le motif de l'annulation."))
    locked = meeting_lock(meeting, expected_version=expected_version)
    if locked.status == Meeting.Status.HELD:
        raise MeetingError(_("Une réunion déjà tenue ne peut pas être annulée."))
    items = list(locked.items.select_related("case__requester").order_by("position"))
    if items:
        target = next_meeting(after=locked.starts_at)
        if target is None:
            raise MeetingError(
                _("Aucune réunion suivante n'existe pour y reporter les demandes : créez d'abord les réunions.")
            )
        agenda_items_move(
            items=items, source=locked, target=target, by=by, reason=_("Réunion annulée : %(r)s") % {"r": reason}
        )
    locked.status = Meeting.Status.CANCELLED
    locked.cancelled_reason = reason[:200]
    locked.version += 1
    locked.save(update_fields=["status", "cancelled_reason", "version"])
    return locked


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, by: User, starts_at: dt.datetime, reason: str, expected_version: int | None = None
) -> Meeting:
    """Move a meeting to another day or time (e.g. away from a public holiday); slots follow."""
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Indiquez le motif du déplacement."))
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, paris())
    if starts_at <= timezone.now():
        raise MeetingError(_("La nouvelle date doit être dans le futur."))
    locked = meeting_lock(meeting, expected_version=expected_version)
    if locked.status == Meeting.Status.HELD:
        raise MeetingError(_("Une réunion déjà tenue ne peut pas être déplacée."))
    if Meeting.objects.filter(starts_at=starts_at).exclude(pk=locked.pk).exists():
        raise MeetingError(_("Une autre réunion commence déjà à cette date et cette heure."))
    length = locked.ends_at - locked.starts_at
    if locked.planned_date is None:
        locked.planned_date = meeting_day(locked)
    locked.starts_at = starts_at
    locked.ends_at = starts_at + length
    locked.moved_reason = reason[:200]
    local_day = timezone.localtime(starts_at, paris()).date()
    locked.holiday_name = holiday_names([local_day]).get(local_day, "")
    locked.version += 1
    locked.save(update_fields=["planned_date", "starts_at", "ends_at", "moved_reason", "holiday_name", "version"])
    slots_recompute(meeting=locked)
    return locked


@transaction.atomic
def meeting_set_coordinators(
    *, meeting: Meeting, coordinators: list[User], by: User | None, expected_version: int | None = None
) -> Meeting:
    """Set the (at most two) coordinators who chair the meeting; they join the invitation list."""
    if len(coordinators) > 2:
        raise MeetingError(_("Une réunion a deux coordinateurs au plus."))
    if any(not u.has_role(Role.COORDINATOR) for u in coordinators):
        raise MeetingError(_("Seules les personnes ayant le rôle de coordinateur peuvent présider."))
    locked = meeting_lock(meeting, expected_version=expected_version)
    locked.coordinators.set(coordinators)
    Participant.objects.filter(meeting=locked, role=Participant.Role.COORDINATOR).exclude(
        user__in=coordinators
    ).delete()
    Participant.objects.bulk_create(
        [Participant(meeting=locked, user=u, role=Participant.Role.COORDINATOR) for u in coordinators],
        ignore_conflicts=True,
    )
    locked.version += 1
    locked.save(update_fields=["version"])
    return locked
