"""THE periodic schedule: every entry names a registered task, at the agreed time, in Europe/Paris."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab

from tigre.celery import app
from tigre.schedule import BEAT_SCHEDULE

PARIS = ZoneInfo("Europe/Paris")


def test_the_app_runs_the_schedule_in_paris_time() -> None:
    assert app.conf.beat_schedule is BEAT_SCHEDULE or app.conf.beat_schedule == BEAT_SCHEDULE
    assert str(app.conf.timezone) == "Europe/Paris"


@pytest.mark.parametrize("name", sorted(BEAT_SCHEDULE))
def test_every_entry_names_a_registered_task(name: str) -> None:
    app.loader.import_default_modules()
    assert BEAT_SCHEDULE[name]["task"] in app.tasks


def _cron(name: str) -> crontab:
    schedule = BEAT_SCHEDULE[name]["schedule"]
    assert isinstance(schedule, crontab)
    return schedule


@pytest.mark.parametrize(
    ("name", "task", "minute", "hour", "day_of_week"),
    [
        ("notifications-incomplete-before-cutoff", "remind_incomplete_before_cutoff", {0}, {12}, {1}),
        ("notifications-cutoff-summary", "send_cutoff_summary", {5}, {0}, {2}),
        ("notifications-meeting-reminder", "remind_meeting_tomorrow", {0}, {17}, {2}),
        ("notifications-sweep-pending", "sweep_pending_notifications", set(range(60)), set(range(24)), set(range(7))),
        ("notifications-urgent-escalation", "escalate_unacknowledged_urgent_cases", set(range(0, 60, 5)), None, None),
        ("notifications-pv-reminder", "remind_pv_to_declare", {30}, {8}, set(range(7))),
        ("meetings-create-ahead", "create_meetings_ahead", None, None, set(range(7))),
    ],
)
def test_crontab_values(name: str, task: str, minute: set | None, hour: set | None, day_of_week: set | None) -> None:
    cron = _cron(name)
    assert BEAT_SCHEDULE[name]["task"].endswith(task)
    if minute is not None:
        assert cron.minute == minute
    if hour is not None:
        assert cron.hour == hour
    if day_of_week is not None:
        assert cron.day_of_week == day_of_week


def next_run(name: str, last_run: dt.datetime) -> dt.datetime:
    """When beat runs the entry next, seen from just after ``last_run`` (time frozen)."""
    now = last_run + dt.timedelta(minutes=1)
    with time_machine.travel(now, tick=False):
        return (now + _cron(name).remaining_estimate(last_run)).astimezone(PARIS)


def test_monday_noon_entry_is_due_at_noon_paris_time_not_utc() -> None:
    when = next_run("notifications-incomplete-before-cutoff", dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS))
    assert when.replace(second=0, microsecond=0) == dt.datetime(2026, 11, 30, 12, 0, tzinfo=PARIS)


def test_cutoff_summary_runs_just_after_the_monday_cutoff() -> None:
    when = next_run("notifications-cutoff-summary", dt.datetime(2026, 11, 24, 0, 5, tzinfo=PARIS))
    assert when.replace(second=0, microsecond=0) == dt.datetime(2026, 12, 1, 0, 5, tzinfo=PARIS)


def test_meeting_reminder_is_the_day_before_the_wednesday_meeting() -> None:
    when = next_run("notifications-meeting-reminder", dt.datetime(2026, 11, 24, 17, 0, tzinfo=PARIS))
    assert when.replace(second=0, microsecond=0) == dt.datetime(2026, 12, 1, 17, 0, tzinfo=PARIS)
