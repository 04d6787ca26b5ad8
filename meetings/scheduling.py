"""The meeting calendar's rules: the meeting days ahead, each meeting's times, the cut-off, public holidays, and
how a meeting's date is written.

Every rule reads settings.TIGRE: a meeting every MEETING_WEEKDAY at MEETING_START for MEETING_DURATION_MINUTES,
Europe/Paris; the cut-off CUTOFF_DAYS_BEFORE days earlier at CUTOFF_TIME. The writes that create, move or cancel
meetings are in services.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

import tigre.formats as fr

from .models import Meeting


def paris() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def meeting_dates_ahead(*, weeks: int, today: dt.date) -> list[dt.date]:
    """The next ``weeks`` meeting days, today included when it is one."""
    weekday = int(settings.TIGRE["MEETING_WEEKDAY"])
    first = today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    return [first + dt.timedelta(weeks=n) for n in range(max(weeks, 0))]


def meeting_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of the meeting held on ``day``, aware, in Europe/Paris (wall-clock time across DST)."""
    start = dt.datetime.combine(day, _hhmm(settings.TIGRE["MEETING_START"]), tzinfo=paris())
    return start, start + dt.timedelta(minutes=int(settings.TIGRE["MEETING_DURATION_MINUTES"]))


# The regions of settings.TIGRE["HOLIDAY_SUBDIVISIONS"] (the `holidays` library's French subdivisions), by name.
SUBDIVISION_NAMES = {"57": "Moselle", "6AE": "Alsace", "67": "Bas-Rhin", "68": "Haut-Rhin"}


def holiday_names(days: Iterable[dt.date]) -> dict[dt.date, str]:
    """The French public holidays among ``days``, and the days off of the board's centres' regions (Alsace-Moselle
    keeps Good Friday and 26 December), named with the regions that keep them. docs/domain.md#public-holidays"""
    days = list(days)
    if not days:
        return {}
    years = sorted({d.year for d in days})
    national = holidays.France(years=years, language="fr")
    names = {d: str(national[d]) for d in days if d in national}
    regional: dict[dt.date, tuple[str, list[str]]] = {}
    for code in settings.TIGRE.get("HOLIDAY_SUBDIVISIONS", ()):
        if code not in holidays.France.subdivisions:
            continue  # an unknown code is ignored (checked at start-up: meetings/apps.py)
        calendar = holidays.France(subdiv=code, years=years, language="fr")
        for d in days:
            if d in calendar and d not in national:
                regional.setdefault(d, (str(calendar[d]), []))[1].append(SUBDIVISION_NAMES.get(code, code))
    for d, (name, places) in regional.items():
        names[d] = f"{name} ({', '.join(places)})"
    return names


def late_scheduling_warning(
    meeting: Meeting, *, submitted_at: dt.datetime | None = None, urgent: bool = False, now: dt.datetime | None = None
) -> str:
    """Why putting a request on ``meeting`` now goes against the cut-off, in French, or "" when it does not.
    Urgent requests are not bound by it. docs/domain.md#cut-off"""
    if urgent:
        return ""
    cutoff = cutoff_for(meeting)
    label = fr.moment(cutoff, weekday=True)
    if (now or timezone.now()) > cutoff:
        return _(
            "La date limite des demandes pour cette réunion (%(cutoff)s) est passée : l’ordre du jour a pu être "
            "préparé et les référents invités sans cette demande."
        ) % {"cutoff": label}
    if submitted_at is not None and submitted_at > cutoff:
        return _("Cette demande a été soumise après la date limite de cette réunion (%(cutoff)s).") % {"cutoff": label}
    return ""


def video_url_for(day: dt.date) -> str:
    return str(settings.TIGRE["VIDEO_URL_TEMPLATE"]).format(date=day.isoformat())


def meeting_day(meeting: Meeting) -> dt.date:
    """The Wednesday a meeting stands for (its planned day, else the local day it starts)."""
    return meeting.planned_date or timezone.localtime(meeting.starts_at, paris()).date()


def cutoff_for(meeting: Meeting) -> dt.datetime:
    """Monday 23:59 Europe/Paris before the meeting, aware. A request submitted at or before it (up to
    23:59:59.999999) is in time; Tuesday 00:00 is too late."""
    day = meeting_day(meeting) - dt.timedelta(days=int(settings.TIGRE["CUTOFF_DAYS_BEFORE"]))
    cut = _hhmm(settings.TIGRE["CUTOFF_TIME"])
    return dt.datetime.combine(day, cut.replace(second=59, microsecond=999999), tzinfo=paris())


def time_label(value: dt.datetime | None) -> str:
    """A time of day in Paris, "17 h 05" (a slot's start; docs/architecture.md#french-formats); empty for none."""
    return fr.time(timezone.localtime(value, paris())) if value is not None else ""


def meeting_date_label(meeting: Meeting | None, *, with_time: bool = True) -> str:
    """The meeting's start in French words, "mercredi 2 décembre 2026 à 17 h" (without " à 17 h" when
    ``with_time`` is false), whatever the reader's language: it goes into e-mails, the request's history and
    notices (docs/architecture.md#french-formats). Empty for no meeting (a request postponed before the next
    meeting exists)."""
    if meeting is None:
        return ""
    start = timezone.localtime(meeting.starts_at, paris())
    return fr.moment(start, weekday=True) if with_time else fr.day(start, weekday=True)
