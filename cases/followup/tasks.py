"""Celery tasks of follow-ups: call a service, nothing else (schedule: tigre/schedule.py)."""

from __future__ import annotations

from celery import shared_task

from .services import follow_ups_send_due


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def send_due_follow_ups() -> int:
    return len(follow_ups_send_due())
