"""The French formats (tigre/formats) as template filters: ``{% load french %}``.

``{{ dose|fr_number }}``, ``{{ weight|fr_quantity:"kg" }}``, ``{{ date|fr_day }}``, ``{{ date|fr_weekday }}``
(with the day of the week), ``{{ date|fr_day_month }}``, ``{{ date|fr_month_year }}``, ``{{ dt|fr_time }}``,
``{{ dt|fr_moment }}``, ``{{ dt|fr_weekday_moment }}``, ``{{ dt|fr_since }}``, ``{{ drug|fr_of }}`` ("d’ipilimumab"),
``{{ n|fr_count:"absent,absents" }}``."""

from __future__ import annotations

import datetime as dt

from django import template

import tigre.formats as fr

register = template.Library()


@register.filter
def fr_number(value: object, places: object = None) -> str:
    return fr.number(value, int(str(places)) if places not in (None, "") else None)


@register.filter
def fr_quantity(value: object, unit: str) -> str:
    return fr.quantity(value, unit)


@register.filter
def fr_day(value: dt.date | dt.datetime | None) -> str:
    return fr.day(value)


@register.filter
def fr_weekday(value: dt.date | dt.datetime | None) -> str:
    return fr.day(value, weekday=True)


@register.filter
def fr_day_month(value: dt.date | dt.datetime | None) -> str:
    return fr.day(value, year=False)


@register.filter
def fr_month_year(value: dt.date | dt.datetime | None) -> str:
    return fr.month_year(value)


@register.filter
def fr_time(value: dt.datetime | dt.time | None) -> str:
    return fr.time(value)


@register.filter
def fr_moment(value: dt.datetime | None) -> str:
    return fr.moment(value)


@register.filter
def fr_since(value: dt.datetime | None) -> str:
    return fr.since(value)


@register.filter
def fr_of(value: object) -> str:
    return fr.of(value)


@register.filter
def fr_count(value: object, forms: str) -> str:
    """``{{ n|fr_count:"absent,absents" }}`` -> "1 absent", "3 absents"."""
    singular, _, plural = forms.partition(",")
    try:
        n = int(str(value))
    except ValueError:
        return str(value)
    return fr.count(n, singular, plural or singular)


@register.filter
def fr_weekday_moment(value: dt.datetime | None) -> str:
    """ "mercredi 9 décembre 2026 à 17 h"."""
    return fr.moment(value, weekday=True)
