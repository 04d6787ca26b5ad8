"""Celery tasks of requests: take IDs (or nothing), call a service, nothing else (schedule: tigre/schedule.py)."""

from __future__ import annotations

from celery import shared_task

from .urgent.services import urgent_escalate_overdue


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def escalate_unacknowledged_urgent_cases() -> int:
    return len(urgent_escalate_overdue())
