"""Periodic jobs of the access trail."""

from __future__ import annotations

import logging

from celery import shared_task

from .services import access_log_purge

logger = logging.getLogger(__name__)


@shared_task(name="tigre.audit.tasks.purge_access_log", acks_late=True, time_limit=600, soft_time_limit=540)
def purge_access_log() -> int:
    """Delete access-trail rows older than TIGRE["ACCESS_LOG_RETENTION_DAYS"] (idempotent)."""
    deleted = access_log_purge()
    logger.info("Access trail purge: %d row(s) deleted", deleted)
    return deleted
