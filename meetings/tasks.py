"""Periodic tasks of the meetings app: thin wrappers around services (they take IDs, never instances)."""

from __future__ import annotations

from celery import shared_task

from .reminders import reminders_cutoff_summary, reminders_incomplete_before_cutoff, reminders_meeting_tomorrow
from .services import meetings_create_ahead


@shared_task(name="meetings.tasks.create_meetings_ahead", acks_late=True, time_limit=120, soft_time_limit=100)
def create_meetings_ahead() -> int:
    """Create the coming Wednesdays' meetings that are missing (idempotent); returns how many were created."""
    return len(meetings_create_ahead())


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def remind_incomplete_before_cutoff() -> int:
    return len(reminders_incomplete_before_cutoff())


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def send_cutoff_summary() -> int:
    return len(reminders_cutoff_summary())


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def remind_meeting_tomorrow() -> int:
    return len(reminders_meeting_tomorrow())


# The activity report's task lives with the figures (meetings/statistics/); imported here so the worker knows it.
from .statistics.tasks import generate_activity_report  # noqa: E402, F401
