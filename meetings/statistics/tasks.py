"""Celery task of the activity report: takes the report's id, calls the service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services import GENERATE_TASK, report_fail, report_generate


@shared_task(
    name=GENERATE_TASK,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    time_limit=600,
    soft_time_limit=540,
)
def generate_activity_report(report_id: int) -> str:
    """Make the PDF and CSV of one ActivityReport row; returns its status."""
    try:
        report = report_generate(report_id=report_id)
    except OperationalError:
        raise  # the database went away: retried
    except Exception as exc:
        report_fail(report_id=report_id, error=f"{exc.__class__.__name__}: {exc}")
        raise
    return report.status if report is not None else "missing"
