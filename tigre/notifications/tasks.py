"""Celery tasks: take IDs (or nothing), call a service, nothing else. Periodic ones are in tigre/schedule.py."""

from __future__ import annotations

from celery import shared_task

from .delivery import TemporaryDeliveryError, conf, notification_deliver, notifications_sweep

# Celery reads retry settings when the task is declared; the row's own attempt count (MAX_ATTEMPTS) is what
# finally marks it FAILED, so the sweep and the retries can never loop for ever.
_MAX_ATTEMPTS = int(conf("MAX_ATTEMPTS"))


@shared_task(
    name="tigre.notifications.tasks.deliver_notification",
    autoretry_for=(TemporaryDeliveryError,),
    retry_backoff=int(conf("RETRY_BACKOFF_SECONDS")),
    retry_backoff_max=int(conf("RETRY_BACKOFF_MAX_SECONDS")),
    retry_jitter=True,
    max_retries=_MAX_ATTEMPTS - 1,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=90,
    soft_time_limit=60,
    ignore_result=True,
)
def deliver_notification(notification_id: int) -> str:
    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def sweep_pending_notifications() -> int:
    return len(notifications_sweep())
