"""French typography on screens (issue 19): the filters every template uses, the one empty label of a list, the
meeting labels of the notices, and no hand-made date format left in the screens' templates."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone

from meetings.scheduling import meeting_date_label, time_label
from referents.models import Referent
from tests.dates import PARIS
from tigre.formats.renderer import EMPTY_CHOICE_LABEL

NB = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def render(source: str, **context: object) -> str:
    return unescape(Template("{% load french %}" + source).render(Context(context)))


def test_weekday_moment_writes_the_month_in_full_and_the_hour_the_french_way() -> None:
    start = dt.datetime(2026, 12, 9, 17, 0, tzinfo=PARIS)
    assert render("{{ d|fr_weekday_moment }}", d=start) == f"mercredi 9 décembre 2026 à 17{NB}h"
    assert render("{{ d|fr_day_month }}", d=dt.date(2026, 12, 1)) == "1er décembre"
    assert render("{{ d|fr_time }}", d=dt.datetime(2026, 12, 9, 17, 20, tzinfo=PARIS)) == f"17{NB}h{NB}20"


def test_since_never_says_zero_minute() -> None:
    now = timezone.now()
    assert render("{{ d|fr_since }}", d=now - dt.timedelta(seconds=20)) == "à l'instant"
    assert render("{{ d|fr_since }}", d=now - dt.timedelta(minutes=1, seconds=5)) == f"il y a 1{NB}minute"


def test_elision_before_a_vowel() -> None:
    assert render("Numéro de lot {{ d|fr_of }}", d="ipilimumab") == "Numéro de lot d’ipilimumab"
    assert render("Numéro de lot {{ d|fr_of }}", d="nivolumab") == "Numéro de lot de nivolumab"


def test_counts_agree_in_french() -> None:
    assert render('{{ n|fr_count:"absent,absents" }}', n=1) == f"1{NB}absent"
    assert render('{{ n|fr_count:"absent,absents" }}', n=0) == f"0{NB}absent"
    assert render('{{ n|fr_count:"absent,absents" }}', n=2) == f"2{NB}absents"


@pytest.mark.django_db
def test_meeting_labels_of_the_notices() -> None:
    class M:
        starts_at = dt.datetime(2026, 12, 9, 17, 0, tzinfo=PARIS)

    assert meeting_date_label(M()) == f"mercredi 9 décembre 2026 à 17{NB}h"  # type: ignore[arg-type]
    assert meeting_date_label(M(), with_time=False) == "mercredi 9 décembre 2026"  # type: ignore[arg-type]
    assert time_label(dt.datetime(2026, 12, 9, 17, 10, tzinfo=PARIS)) == f"17{NB}h{NB}10"


@pytest.mark.django_db
def test_every_list_has_the_same_empty_label() -> None:
    class Form(forms.ModelForm):
        class Meta:
            model = Referent
            fields = ["user", "specialty"]

    html = Form().as_p()
    assert "---------" not in html
    assert html.count(f'<option value="" selected>{EMPTY_CHOICE_LABEL}</option>') == 2


HAND_MADE = re.compile(r'\|date:"[^"]*[jlDMF][^"]*"|\|time:"H:i"|\|timesince')


def test_no_screen_template_formats_a_date_in_words_by_hand() -> None:
    """Dates in words, times and "how long ago" go through {% load french %}; numeric dates (d/m/Y) may stay."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        relative = path.relative_to(TEMPLATES).as_posix()
        if relative.startswith(("emails/", "pdf/")) or relative.endswith("dev_outbox.html"):
            continue
        for match in HAND_MADE.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{relative}: {match.group(0)}")
    assert offenders == []
