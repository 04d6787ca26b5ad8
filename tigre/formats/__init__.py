"""French formats for every screen, PDF and e-mail (docs/architecture.md, "French formats").

One layer, so that a date, a dose or a count reads the same everywhere: "1er décembre 2026", "17 h 05",
"0,5 mg/kg/j", "62 kg", "1 absent", "d’ipilimumab". Pure functions of their arguments (French whatever the
viewer's language: they format clinical records); the ``french`` template library wraps them for templates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone

NBSP = "\u00a0"  # before units and inside "17 h 05"
NNBSP = "\u202f"  # thousands separator (narrow no-break space)

MONTHS = (
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
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ")


def number(value: object, places: int | None = None) -> str:
    """A number the French way: decimal comma, no trailing zeros, narrow no-break space between thousands.

    ``places`` rounds first (half up). 1.00 -> "1", 0.50 -> "0,5", 62.0 -> "62", 12345.6 -> "12 345,6";
    None or "" -> "". Text that is not a number is returned as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + NNBSP.join(groups) + (f",{fraction}" if fraction else "")


def quantity(value: object, unit: str, places: int | None = None) -> str:
    """A number and its unit with a no-break space: "0,5 mg/kg/j" ("" without a number)."""
    text = number(value, places)
    return f"{text}{NBSP}{unit}" if text else ""


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day(value: dt.date | dt.datetime | None, *, weekday: bool = False, year: bool = True) -> str:
    """ "1er décembre 2026", "mercredi 2 décembre 2026" (``weekday``), "2 décembre" (no ``year``); "" if None."""
    if value is None:
        return ""
    value = _local(value)
    number_of_day = "1er" if value.day == 1 else str(value.day)
    text = f"{number_of_day} {MONTHS[value.month - 1]}"
    if year:
        text += f" {value.year}"
    if weekday:
        text = f"{WEEKDAYS[value.weekday()]} {text}"
    return text


def month_year(value: dt.date | dt.datetime | None) -> str:
    """ "décembre 2026" (a diagnosis known to the month); "" if None."""
    if value is None:
        return ""
    value = _local(value)
    return f"{MONTHS[value.month - 1]} {value.year}"


def time(value: dt.datetime | dt.time | None) -> str:
    """ "17 h", "17 h 05" (local time, no-break spaces); "" if None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)  # type: ignore[assignment]
    hour, minute = value.hour, value.minute
    return f"{hour}{NBSP}h" + (f"{NBSP}{minute:02d}" if minute else "")


def moment(value: dt.datetime | None, *, weekday: bool = False) -> str:
    """ "2 décembre 2026 à 17 h" (local time); "" if None."""
    if value is None:
        return ""
    return f"{day(value, weekday=weekday)} à {time(value)}"


def count(n: int, singular: str, plural: str) -> str:
    """ "1 absent", "0 absent", "2 absents": French agreement (0 and 1 take the singular)."""
    return f"{n}{NBSP}{singular if abs(n) < 2 else plural}"


def of(word: object) -> str:
    """ "de" before a word, elided before a vowel: "d’ipilimumab", "de pembrolizumab" ("" for nothing)."""
    text = str(word or "").strip()
    if not text:
        return ""
    return f"d’{text}" if text[0] in VOWELS else f"de {text}"


def since(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago, rounded down: "à l'instant", "il y a 5 minutes", "il y a 1 heure", "il y a 3 jours"."""
    if value is None:
        return ""
    seconds = max(((now or timezone.now()) - value).total_seconds(), 0)
    minutes = int(seconds // 60)
    if minutes < 1:
        return "à l'instant"
    if minutes < 60:
        return f"il y a {count(minutes, 'minute', 'minutes')}"
    hours = minutes // 60
    if hours < 24:
        return f"il y a {count(hours, 'heure', 'heures')}"
    return f"il y a {count(hours // 24, 'jour', 'jours')}"
