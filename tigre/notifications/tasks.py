"""Celery tasks: take IDs (or nothing), call a service, nothing else. Periodic ones are in tigre/schedule.py."""

from __future__ import annotations

from celery import shared_task

from .delivery import TemporaryDeliveryError, conf

# Celery reads retry settings when the task is declared; the row's own attempt count (MAX_ATTEMPTS) is what
# finally marks it FAILED, so the sweep and the retries can never loop for ever.
_MAX_ATTEMPTS = int(conf("MAX_ATTEMPTS"))


@shared_task(
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
    from .delivery import notification_deliver

    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def sweep_pending_notifications() -> int:
    from .delivery import notifications_sweep

    return len(notifications_sweep())


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def escalate_unacknowledged_urgent_cases() -> int:
    from .urgent import urgent_escalate_overdue

    return len(urgent_escalate_overdue())


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def remind_incomplete_before_cutoff() -> int:
    from .reminders import reminders_incomplete_before_cutoff

    return len(reminders_incomplete_before_cutoff())


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def send_cutoff_summary() -> int:
    from .reminders import reminders_cutoff_summary

    return len(reminders_cutoff_summary())


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def remind_meeting_tomorrow() -> int:
    from .reminders import reminders_meeting_tomorrow

    return len(reminders_meeting_tomorrow())


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240, ignore_result=True)
def remind_pv_to_declare() -> int:
    from .reminders import reminders_pv_to_declare

    return len(reminders_pv_to_declare())
