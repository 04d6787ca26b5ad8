"""Warnings where the rules bite: putting a request on a meeting past its cut-off asks first; the centres' regional
days off are flagged like national ones (docs/domain.md#cut-off, docs/domain.md#public-holidays)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
import time_machine
from django.core.checks import run_checks
from django.urls import reverse

from cases.models import CaseStatus
from meetings.models import AgendaItem, Meeting
from meetings.scheduling import holiday_names, late_scheduling_warning
from meetings.services import meetings_create_ahead
from tests.dates import at, day, meeting_start
from tests.factories.agenda import accepted_case
from tests.factories.meetings import MeetingFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_late_warning_after_the_cut_off_only() -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    assert late_scheduling_warning(meeting, now=at(day(-2), 23, 59)) == ""
    late = late_scheduling_warning(meeting, now=at(day(-1), 0, 0))
    assert "date limite" in late and "est passée" in late and "lundi" in late
    # Submitted late, scheduled before the cut-off has passed for everyone (a Monday request moved up).
    submitted_late = late_scheduling_warning(meeting, submitted_at=at(day(-1), 9), now=at(day(-3), 9))
    assert "soumise après la date limite" in submitted_late
    # Urgent requests are not bound by the cut-off.
    assert late_scheduling_warning(meeting, urgent=True, now=at(day(0), 9)) == ""


def test_scheduling_after_the_cut_off_asks_for_confirmation(client: Any, sam: Any) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    case = accepted_case(reference="TIGRE-2026-0501", submitted_at=at(day(-3), 9))
    url = reverse("meetings:schedule_case", args=[case.pk])
    with time_machine.travel(at(day(-1), 10), tick=False):
        login(client, sam)
        form = html.unescape(client.get(url).content.decode())
        assert "date limite passée" in form  # the meeting's choice says it already
        response = client.post(url, {"meeting": meeting.pk})
        body = html.unescape(response.content.decode())
        assert response.status_code == 200 and "Inscrire quand même" in body and "est passée" in body
        assert not AgendaItem.objects.filter(case=case).exists()
        response = client.post(url, {"meeting": meeting.pk, "confirm_late": "1"})
    assert response.status_code == 302
    assert AgendaItem.objects.filter(case=case, meeting=meeting).exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.SCHEDULED


def test_scheduling_before_the_cut_off_asks_nothing(client: Any, sam: Any) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    case = accepted_case(reference="TIGRE-2026-0502", submitted_at=at(day(-3), 9))
    with time_machine.travel(at(day(-3), 10), tick=False):
        login(client, sam)
        response = client.post(reverse("meetings:schedule_case", args=[case.pk]), {"meeting": meeting.pk})
    assert response.status_code == 302 and AgendaItem.objects.filter(case=case, meeting=meeting).exists()


def test_late_add_on_the_meeting_page_asks_first_after_the_cut_off(client: Any, sam: Any) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    with time_machine.travel(at(day(-1), 10), tick=False):
        login(client, sam)
        body = html.unescape(client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode())
    assert "Ajouter quand même ?" in body
    with time_machine.travel(at(day(-3), 10), tick=False):
        login(client, sam)
        body = html.unescape(client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode())
    assert "Ajouter quand même ?" not in body


def test_regional_days_off_are_named_with_their_region(settings: Any) -> None:
    good_friday, st_stephen, easter_monday = dt.date(2027, 3, 26), dt.date(2026, 12, 26), dt.date(2027, 3, 29)
    names = holiday_names([good_friday, st_stephen, easter_monday, dt.date(2026, 12, 23)])
    assert names[good_friday] == "Vendredi saint (Moselle, Alsace)"
    assert names[st_stephen] == "Saint-Étienne (Moselle, Alsace)"
    assert names[easter_monday] == "Lundi de Pâques"  # national: no region named
    assert dt.date(2026, 12, 23) not in names
    settings.TIGRE = {**settings.TIGRE, "HOLIDAY_SUBDIVISIONS": []}
    assert good_friday not in holiday_names([good_friday])


def test_meeting_on_a_regional_day_off_is_flagged(settings: Any) -> None:
    # A board meeting on Fridays (a setting) meets Good Friday 2027, a day off in Alsace-Moselle only.
    settings.TIGRE = {**settings.TIGRE, "MEETING_WEEKDAY": 4}
    meetings_create_ahead(weeks=2, today=dt.date(2027, 3, 22))
    flagged = Meeting.objects.get(planned_date=dt.date(2027, 3, 26))
    assert flagged.holiday_name == "Vendredi saint (Moselle, Alsace)"


def test_unknown_subdivision_fails_the_start_up_check(settings: Any) -> None:
    settings.TIGRE = {**settings.TIGRE, "HOLIDAY_SUBDIVISIONS": ["57", "99"]}
    errors = [e for e in run_checks() if e.id == "meetings.E001"]
    assert len(errors) == 1 and "'99'" in errors[0].msg
