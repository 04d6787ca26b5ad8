"""Periodic tasks of the meetings app: thin wrappers around services (they take IDs, never instances)."""

from __future__ import annotations

from celery import shared_task

from .scheduling import meetings_create_ahead


@shared_task(name="meetings.tasks.create_meetings_ahead", acks_late=True, time_limit=120, soft_time_limit=100)
def create_meetings_ahead() -> int:
    """Create the coming Wednesdays' meetings that are missing (idempotent); returns how many were created."""
    return len(meetings_create_ahead())
