"""Celery tasks of pharmacovigilance: call a service, nothing else (schedule: tigre/schedule.py)."""

from __future__ import annotations

from celery import shared_task

from .services import pv_remind_to_declare


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def remind_pv_to_declare() -> int:
    return len(pv_remind_to_declare())
