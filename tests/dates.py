"""The suite's calendar, relative to the real date, so that the tests pass whatever day they run.

Everything a test builds without freezing time (MeetingFactory's meetings, accepted_case's submission date, the
meeting of the documents' tests...) hangs on one day, ``BASE_WEDNESDAY``: the first Wednesday at least two weeks
after the day the run starts (Europe/Paris). Its meeting, its Monday cut-off and the following weeks' meetings are
thus always ahead of the real clock, with room to spare, which is also what the browser tests (live server) and
the worker tests (another process) see, since they never freeze time. It is computed once per run, so a run that
crosses midnight keeps one calendar.

A test that needs a particular calendar (a DST change, a public holiday, a given Monday's cut-off) freezes time
explicitly (time_machine) at literal dates instead.

The French spellings below are written out here, not taken from Django's formats, so that a test comparing a page
with them still checks the application's own formatting.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = 2  # date.weekday()

TODAY = dt.datetime.now(PARIS).date()
_earliest = TODAY + dt.timedelta(days=14)
BASE_WEDNESDAY = _earliest + dt.timedelta(days=(WEDNESDAY - _earliest.weekday()) % 7)

FRENCH_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def day(days: int = 0, *, weeks: int = 0) -> dt.date:
    """BASE_WEDNESDAY moved by ``weeks`` and ``days``: day(-2) is the Monday of its cut-off, day(weeks=1) the
    Wednesday after."""
    return BASE_WEDNESDAY + dt.timedelta(days=days, weeks=weeks)


def at(on: dt.date, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0) -> dt.datetime:
    """Wall-clock time in Europe/Paris on ``on`` (aware; the UTC offset follows DST)."""
    return dt.datetime.combine(on, dt.time(hour, minute, second, microsecond), tzinfo=PARIS)


def meeting_start(weeks: int = 0) -> dt.datetime:
    """17:00 Europe/Paris on the Wednesday ``weeks`` after BASE_WEDNESDAY: the regular meeting time."""
    return at(day(weeks=weeks), 17)


# The last Wednesday strictly before the day the run starts: its 17:00 meeting has begun, whatever the hour.
LAST_WEDNESDAY = TODAY - dt.timedelta(days=(TODAY.weekday() - WEDNESDAY - 1) % 7 + 1)


def started_meeting_start(weeks: int = 0) -> dt.datetime:
    """17:00 Europe/Paris on the Wednesday ``weeks`` before LAST_WEDNESDAY: a meeting that has already begun, so
    that the session may record attendance, avis and validation (docs/domain.md#meeting-integrity)."""
    return at(LAST_WEDNESDAY - dt.timedelta(weeks=weeks), 17)


def french_date(on: dt.date) -> str:
    """'2 décembre 2026'."""
    return f"{on.day} {FRENCH_MONTHS[on.month - 1]} {on.year}"


def french_day_month(on: dt.date) -> str:
    """'2 décembre'."""
    return f"{on.day} {FRENCH_MONTHS[on.month - 1]}"


def french_long_date(on: dt.date) -> str:
    """'mercredi 2 décembre 2026'."""
    return f"{FRENCH_WEEKDAYS[on.weekday()]} {french_date(on)}"


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years from ``birth`` to ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
