"""Celery tasks of the documents app: they take IDs and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services import AFTER_VALIDATION_TASK, GENERATE_TASK, document_generate, documents_after_validation


@shared_task(
    name=GENERATE_TASK,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    time_limit=300,
    soft_time_limit=240,
)
def generate_document(document_id: int) -> str:
    """Make the stored PDF of one GeneratedDocument row if its data changed; returns its status."""
    return document_generate(document_id=document_id).status


@shared_task(name=AFTER_VALIDATION_TASK, acks_late=True, autoretry_for=(OperationalError,), max_retries=3)
def documents_after_validation_task(meeting_id: int) -> int:
    """Queue the minutes and final fiches of a meeting just validated."""
    return documents_after_validation(meeting_id=meeting_id)
