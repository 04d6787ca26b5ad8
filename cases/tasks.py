"""Celery tasks of requests: take IDs (or nothing), call a service, nothing else (schedule: tigre/schedule.py)."""

from __future__ import annotations

import logging

from celery import shared_task

from .privacy.gdpr import cases_anonymise_closed
from .urgent.services import urgent_escalate_overdue

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def escalate_unacknowledged_urgent_cases() -> int:
    return len(urgent_escalate_overdue())


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def anonymise_closed_cases() -> int:
    """Retention: anonymise the patients whose requests all ended more than TIGRE["CASE_RETENTION_YEARS"] ago
    (idempotent; `manage.py anonymise_closed_cases --dry-run` shows what it would do)."""
    plan = cases_anonymise_closed()
    logger.info("Retention: %d patient(s) anonymised", len(plan.patients))
    return len(plan.patients)
