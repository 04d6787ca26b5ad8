"""The French formats: numbers, dates, times, counts and elision, as functions and as template filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

import tigre.formats as fr
from tests.dates import PARIS

NB, NNB = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1.00"), None, "1"),
        (Decimal("0.50"), None, "0,5"),
        (62.0, None, "62"),
        (Decimal("12345.60"), None, f"12{NNB}345,6"),
        (1234567, None, f"1{NNB}234{NNB}567"),
        (Decimal("-2.5"), None, "-2,5"),
        (Decimal("0.125"), 2, "0,13"),
        (None, None, ""),
        ("", None, ""),
        ("non renseigné", None, "non renseigné"),
    ],
)
def test_number(value: object, places: int | None, expected: str) -> None:
    assert fr.number(value, places) == expected


def test_quantity_keeps_the_unit_on_the_line() -> None:
    assert fr.quantity(Decimal("1.00"), "mg/kg/j") == f"1{NB}mg/kg/j"
    assert fr.quantity(None, "kg") == ""


def test_days_first_of_the_month_weekday_and_no_abbreviation() -> None:
    assert fr.day(dt.date(2026, 12, 1)) == "1er décembre 2026"
    assert fr.day(dt.date(2026, 12, 2), weekday=True) == "mercredi 2 décembre 2026"
    assert fr.day(dt.date(2026, 8, 25), year=False) == "25 août"
    assert fr.day(None) == ""


def test_times_and_moments_in_paris_time() -> None:
    utc = dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)  # 17:00 in Paris (winter)
    assert fr.time(utc) == f"17{NB}h"
    assert fr.time(dt.time(9, 5)) == f"9{NB}h{NB}05"
    assert fr.moment(utc, weekday=True) == f"mercredi 2 décembre 2026 à 17{NB}h"
    summer = dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.UTC)  # 17:30 in Paris (summer time)
    assert fr.time(summer) == f"17{NB}h{NB}30"


@pytest.mark.parametrize(("n", "expected"), [(0, f"0{NB}absent"), (1, f"1{NB}absent"), (2, f"2{NB}absents")])
def test_count_agrees_the_french_way(n: int, expected: str) -> None:
    assert fr.count(n, "absent", "absents") == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("ipilimumab", "d’ipilimumab"), ("pembrolizumab", "de pembrolizumab"), ("Œdème", "d’Œdème"), ("", "")],
)
def test_of_elides_before_a_vowel(word: str, expected: str) -> None:
    assert fr.of(word) == expected


def test_since() -> None:
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=PARIS)
    assert fr.since(now - dt.timedelta(seconds=20), now) == "à l'instant"
    assert fr.since(now - dt.timedelta(minutes=1), now) == f"il y a 1{NB}minute"
    assert fr.since(now - dt.timedelta(hours=5, minutes=3), now) == f"il y a 5{NB}heures"
    assert fr.since(now - dt.timedelta(days=3), now) == f"il y a 3{NB}jours"


def test_filters_render_french_whatever_the_language() -> None:
    template = Template(
        '{% load french %}{{ d|fr_day }}|{{ dose|fr_quantity:"mg/kg/j" }}|{{ n|fr_count:"absent,absents" }}|'
        "{{ drug|fr_of }}|{{ t|fr_time }}"
    )
    context = Context(
        {
            "d": dt.date(2026, 12, 1),
            "dose": Decimal("1.00"),
            "n": 1,
            "drug": "ipilimumab",
            "t": dt.datetime(2026, 12, 2, 16, 5, tzinfo=dt.UTC),
        }
    )
    with translation.override("en"):
        text = template.render(context)
    assert text == f"1er décembre 2026|1{NB}mg/kg/j|1{NB}absent|d’ipilimumab|17{NB}h{NB}05"
