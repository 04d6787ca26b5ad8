"""Reporting periods: a month, a quarter, a year or custom dates, as half-open instants in Europe/Paris.

A period is a range of calendar days in Paris. Its bounds are the local midnights at its first day and the day
after its last, each converted on its own: a month that contains a daylight-saving change (late March, late
October) is then 743 or 745 hours long, as it is on the wall clock, and no event near midnight is put in the
wrong month. Every figure filters on ``[start, end)`` instants; monthly series group on the Paris month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PARIS = ZoneInfo("Europe/Paris")

KIND_MONTH = "month"
KIND_QUARTER = "quarter"
KIND_YEAR = "year"
KIND_CUSTOM = "custom"
KIND_CHOICES = [
    (KIND_MONTH, gettext_lazy("Mois")),
    (KIND_QUARTER, gettext_lazy("Trimestre")),
    (KIND_YEAR, gettext_lazy("Année")),
    (KIND_CUSTOM, gettext_lazy("Dates choisies")),
]
SHORT_MONTHS = (
    gettext_lazy("janv."),
    gettext_lazy("févr."),
    gettext_lazy("mars"),
    gettext_lazy("avr."),
    gettext_lazy("mai"),
    gettext_lazy("juin"),
    gettext_lazy("juil."),
    gettext_lazy("août"),
    gettext_lazy("sept."),
    gettext_lazy("oct."),
    gettext_lazy("nov."),
    gettext_lazy("déc."),
)
# A custom period longer than this is refused (a dashboard is read per year; the report is made per year).
MAX_CUSTOM_DAYS = 5 * 366


def paris_midnight(day: dt.date) -> dt.datetime:
    """The instant a calendar day starts in Paris (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)


@dataclass(frozen=True)
class Period:
    """Calendar days ``first`` to ``last`` (both included) in Europe/Paris."""

    kind: str
    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return paris_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return paris_midnight(self.last + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """The period in words, as the page, the PDF and the CSV name it."""
        if self.kind == KIND_YEAR:
            return _("année %(year)s") % {"year": self.first.year}
        if self.kind == KIND_QUARTER:
            quarter = (self.first.month - 1) // 3 + 1
            return _("%(n)se trimestre %(year)s") % {"n": quarter, "year": self.first.year}
        if self.kind == KIND_MONTH:
            return date_format(self.first, "F Y")
        return _("du %(first)s au %(last)s") % {
            "first": date_format(self.first, "j F Y"),
            "last": date_format(self.last, "j F Y"),
        }

    @property
    def slug(self) -> str:
        """For file names: 2026, 2026-T4, 2026-10, 2026-01-15_2026-03-31."""
        if self.kind == KIND_YEAR:
            return f"{self.first.year}"
        if self.kind == KIND_QUARTER:
            return f"{self.first.year}-T{(self.first.month - 1) // 3 + 1}"
        if self.kind == KIND_MONTH:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m-%d}_{self.last:%Y-%m-%d}"

    def month_axis(self) -> list[str]:
        """Short month names for a chart's axis; with the year's last two digits when the period spans years."""
        months = self.months()
        several_years = months[0].year != months[-1].year
        return [f"{SHORT_MONTHS[m.month - 1]}" + (f" {m:%y}" if several_years else "") for m in months]

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches (the monthly series' x axis)."""
        out: list[dt.date] = []
        day = self.first.replace(day=1)
        while day <= self.last:
            out.append(day)
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out


def month(year: int, number: int) -> Period:
    first = dt.date(year, number, 1)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Period(KIND_MONTH, first, following - dt.timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    first = dt.date(year, 3 * (number - 1) + 1, 1)
    last_month = month(year, 3 * number)
    return Period(KIND_QUARTER, first, last_month.last)


def year(number: int) -> Period:
    return Period(KIND_YEAR, dt.date(number, 1, 1), dt.date(number, 12, 31))


def custom(first: dt.date, last: dt.date) -> Period:
    return Period(KIND_CUSTOM, first, last)


def current_year() -> Period:
    return year(timezone.localdate().year)
