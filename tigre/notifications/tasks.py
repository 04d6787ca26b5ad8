from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def deliver_notification(notification_id: int) -> str:
    from .delivery import notification_deliver

    return notification_deliver(notification_id=notification_id)
