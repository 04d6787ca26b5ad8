"""Meetings created ahead, cut-off in Europe/Paris time, holidays, next meeting, cancel and move."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from meetings.agenda.services import agenda_build
from meetings.lock import MeetingConflict, MeetingError
from meetings.models import Meeting
from meetings.scheduling import cutoff_for
from meetings.selectors import next_meeting
from meetings.services import meeting_cancel, meeting_move, meeting_set_coordinators, meetings_create_ahead
from meetings.tasks import create_meetings_ahead
from tests.factories.accounts import UserFactory
from tests.factories.agenda import accepted_case
from tests.factories.meetings import MeetingFactory

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC

pytestmark = pytest.mark.django_db


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def test_creates_the_next_eight_wednesdays_at_17_paris_time() -> None:
    created = meetings_create_ahead(today=dt.date(2026, 11, 26))  # a Thursday
    assert len(created) == 8
    first = created[0]
    assert first.planned_date == dt.date(2026, 12, 2)
    assert first.starts_at == paris(2026, 12, 2, 17, 0)
    assert first.ends_at == paris(2026, 12, 2, 18, 30)
    assert first.video_url == "https://visio.tigre.invalid/rcp-2026-12-02"
    assert [m.planned_date.weekday() for m in created] == [2] * 8
    assert created[-1].planned_date == dt.date(2027, 1, 20)


def test_new_meetings_name_two_coordinators_by_default(settings: Any) -> None:
    zoe = UserFactory(last_name="Zorn", roles=["coordinator"])
    ada = UserFactory(last_name="Adam", roles=["coordinator"])
    bea = UserFactory(last_name="Bayer", roles=["coordinator"])
    UserFactory(last_name="Aaron", roles=["coordinator"], is_active=False)
    UserFactory(last_name="Abel", roles=["clinician"])
    first = meetings_create_ahead(today=dt.date(2026, 11, 26))[0]
    assert set(first.coordinators.all()) == {ada, bea}
    assert set(first.participants.filter(role="coordinator").values_list("user", flat=True)) == {ada.pk, bea.pk}
    settings.TIGRE = {**settings.TIGRE, "DEFAULT_COORDINATORS": [zoe.email.upper(), ada.email]}
    later = meetings_create_ahead(today=dt.date(2027, 1, 21))[0]
    assert set(later.coordinators.all()) == {zoe, ada}


def test_creating_ahead_is_idempotent() -> None:
    assert len(meetings_create_ahead(today=dt.date(2026, 11, 26))) == 8
    assert meetings_create_ahead(today=dt.date(2026, 11, 26)) == []
    # A week later only one new Wednesday appears.
    assert [m.planned_date for m in meetings_create_ahead(today=dt.date(2026, 12, 3))] == [dt.date(2027, 1, 27)]
    assert Meeting.objects.count() == 9


def test_a_meeting_made_by_hand_at_the_same_time_is_not_duplicated() -> None:
    MeetingFactory(starts_at=paris(2026, 12, 2, 17, 0))
    created = meetings_create_ahead(weeks=2, today=dt.date(2026, 12, 1))
    assert [m.planned_date for m in created] == [dt.date(2026, 12, 9)]


def test_wednesday_today_counts_and_summer_time_keeps_17_local() -> None:
    created = meetings_create_ahead(weeks=2, today=dt.date(2027, 3, 24))
    assert created[0].starts_at == paris(2027, 3, 24, 17, 0)
    assert created[0].starts_at.astimezone(UTC).hour == 16  # winter: UTC+1
    assert created[1].starts_at.astimezone(UTC).hour == 15  # after the 28 March change: UTC+2


def test_french_public_holidays_on_a_wednesday_are_flagged() -> None:
    # 25 December 2030 and 1 January 2031 are Wednesdays.
    created = meetings_create_ahead(weeks=3, today=dt.date(2030, 12, 20))
    names = {m.planned_date: m.holiday_name for m in created}
    assert names[dt.date(2030, 12, 25)] == "Noël"
    assert names[dt.date(2031, 1, 1)] == "Jour de l'an"
    assert names[dt.date(2031, 1, 8)] == ""
    assert Meeting.objects.get(planned_date=dt.date(2030, 12, 25)).is_holiday


def test_cutoff_is_monday_2359_paris_before_the_meeting() -> None:
    meeting = MeetingFactory(starts_at=paris(2026, 12, 9, 17, 0), planned_date=dt.date(2026, 12, 9))
    cutoff = cutoff_for(meeting)
    assert cutoff.tzinfo is not None
    local = cutoff.astimezone(PARIS)
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 12, 7), 23, 59)
    assert local.weekday() == 0


def test_cutoff_boundary_monday_2359_vs_tuesday_0000(sam: Any) -> None:
    """The builder takes what was submitted up to Monday 23:59:59 Paris time, urgent requests whatever the time."""
    first = MeetingFactory(starts_at=paris(2026, 12, 9, 17, 0))
    monday_late = paris(2026, 12, 7, 23, 59, 30)
    tuesday = paris(2026, 12, 8, 0, 0).astimezone(UTC)  # the same instant in UTC: 23:00 on Monday
    accepted_case(reference="MONDAY", submitted_at=monday_late)
    accepted_case(reference="TUESDAY", submitted_at=tuesday)
    accepted_case(reference="URGENT", submitted_at=tuesday, urgent=True)
    with time_machine.travel(paris(2026, 12, 8, 9, 0), tick=False):
        agenda_build(meeting=first, by=sam)
    assert set(first.items.values_list("case__reference", flat=True)) == {"MONDAY", "URGENT"}


def test_cutoff_on_the_weekend_clocks_change() -> None:
    # Clocks go back on Sunday 25 October 2026 (CEST -> CET): Monday 26 is UTC+1 again.
    meeting = MeetingFactory(starts_at=paris(2026, 10, 28, 17, 0))
    later = MeetingFactory(starts_at=paris(2026, 11, 4, 17, 0))
    cutoff = cutoff_for(meeting)
    assert cutoff.astimezone(UTC) == dt.datetime(2026, 10, 26, 22, 59, 59, 999999, tzinfo=UTC)
    assert dt.datetime(2026, 10, 26, 22, 59, tzinfo=UTC) <= cutoff < dt.datetime(2026, 10, 26, 23, 0, tzinfo=UTC)
    assert cutoff_for(later) - cutoff == dt.timedelta(weeks=1)
    # Clocks go forward on Sunday 28 March 2027 (CET -> CEST): Monday 29 is UTC+2.
    spring = MeetingFactory(starts_at=paris(2027, 3, 31, 17, 0))
    assert cutoff_for(spring).astimezone(UTC) == dt.datetime(2027, 3, 29, 21, 59, 59, 999999, tzinfo=UTC)


def test_next_meeting_skips_cancelled_and_past_ones() -> None:
    cancelled = MeetingFactory(starts_at=paris(2026, 12, 9, 17, 0), status=Meeting.Status.CANCELLED)
    published = MeetingFactory(starts_at=paris(2026, 12, 16, 17, 0), status=Meeting.Status.PUBLISHED)
    MeetingFactory(starts_at=paris(2026, 12, 23, 17, 0))
    assert next_meeting(after=paris(2026, 12, 1, 9, 0)) == published
    assert cancelled.is_locked
    assert next_meeting(after=paris(2027, 1, 1, 9, 0)) is None


def test_the_task_and_the_command_create_meetings_once() -> None:
    with time_machine.travel(paris(2026, 11, 26, 10, 0), tick=False):
        assert create_meetings_ahead() == 8
        assert create_meetings_ahead() == 0
        out = StringIO()
        call_command("create_meetings", "--weeks", "9", stdout=out)
    assert "1 réunion(s) créée(s)" in out.getvalue()
    assert Meeting.objects.count() == 9


def test_create_meetings_command_refuses_bad_weeks() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="entre 1 et 104"):
        call_command("create_meetings", "--weeks", "0", stdout=StringIO())


def test_video_url_comes_from_the_setting(settings: Any) -> None:
    settings.TIGRE = {**settings.TIGRE, "VIDEO_URL_TEMPLATE": "https://v.test/{date}"}
    (meeting,) = meetings_create_ahead(weeks=1, today=dt.date(2026, 12, 2))
    assert meeting.video_url == "https://v.test/2026-12-02"


def test_a_moved_holiday_meeting_is_not_created_again(sam: object) -> None:
    with time_machine.travel(paris(2030, 12, 20, 10, 0), tick=False):
        meetings_create_ahead(weeks=3)
        christmas = Meeting.objects.get(planned_date=dt.date(2030, 12, 25))
        moved = meeting_move(
            meeting=christmas,
            by=sam,
            starts_at=paris(2030, 12, 26, 17, 0),
            reason="Noël",
            expected_version=christmas.version,
        )
        assert moved.starts_at == paris(2030, 12, 26, 17, 0)
        assert moved.ends_at == paris(2030, 12, 26, 18, 30)
        # 26 December is a day off in Alsace-Moselle, where some of the board's centres are (HOLIDAY_SUBDIVISIONS).
        assert moved.holiday_name == "Saint-Étienne (Moselle, Alsace)"
        assert moved.moved_reason == "Noël"
        assert meetings_create_ahead(weeks=3) == []
        new_year = Meeting.objects.get(planned_date=dt.date(2031, 1, 1))
        cancelled = meeting_cancel(meeting=new_year, by=sam, reason="Jour de l'an", expected_version=new_year.version)
        assert cancelled.status == Meeting.Status.CANCELLED
        assert meetings_create_ahead(weeks=3) == []
        # Cut-off of the moved meeting stays the Monday before the planned Wednesday.
        assert cutoff_for(moved).astimezone(PARIS).date() == dt.date(2030, 12, 23)


def test_cancel_needs_a_reason_and_a_fresh_version(sam: object) -> None:
    meeting = MeetingFactory(starts_at=paris(2030, 12, 25, 17, 0))
    with pytest.raises(MeetingError, match="motif"):
        meeting_cancel(meeting=meeting, by=sam, reason="  ", expected_version=meeting.version)
    with pytest.raises(MeetingConflict):
        meeting_cancel(meeting=meeting, by=sam, reason="Noël", expected_version=meeting.version + 1)
    meeting_cancel(meeting=meeting, by=sam, reason="Noël", expected_version=meeting.version)
    with pytest.raises(MeetingError):
        meeting_move(meeting=meeting, by=sam, starts_at=paris(2030, 12, 26, 17), reason="x")


def test_moving_onto_another_meeting_is_refused(sam: object) -> None:
    a = MeetingFactory(starts_at=paris(2030, 12, 25, 17, 0))
    MeetingFactory(starts_at=paris(2031, 1, 1, 17, 0))
    with pytest.raises(MeetingError, match="Une autre réunion"):
        meeting_move(meeting=a, by=sam, starts_at=paris(2031, 1, 1, 17, 0), reason="x")


def test_coordinators_at_most_two_holding_the_role(sam: object, cora: object) -> None:
    meeting = MeetingFactory()
    other = UserFactory(roles=["coordinator"])
    third = UserFactory(roles=["coordinator"])
    with pytest.raises(MeetingError, match="deux coordinateurs"):
        meeting_set_coordinators(meeting=meeting, coordinators=[cora, other, third], by=sam)
    with pytest.raises(MeetingError, match="rôle de coordinateur"):
        meeting_set_coordinators(meeting=meeting, coordinators=[sam], by=sam)
    meeting_set_coordinators(meeting=meeting, coordinators=[cora, other], by=sam)
    assert set(meeting.coordinators.all()) == {cora, other}
    assert set(meeting.participants.values_list("user_id", "role")) == {
        (cora.pk, "coordinator"),
        (other.pk, "coordinator"),
    }
    meeting_set_coordinators(meeting=meeting, coordinators=[other], by=sam)
    assert list(meeting.participants.values_list("user_id", flat=True)) == [other.pk]


def test_on_wednesday_evening_the_past_meeting_is_not_created() -> None:
    with time_machine.travel(paris(2026, 12, 2, 19, 0), tick=False):
        created = meetings_create_ahead(weeks=2)
    assert [m.planned_date for m in created] == [dt.date(2026, 12, 9), dt.date(2026, 12, 16)]
    with time_machine.travel(paris(2026, 12, 9, 9, 0), tick=False):
        assert [m.planned_date for m in meetings_create_ahead(weeks=3)] == [dt.date(2026, 12, 23)]
