"""The Celery app (``celery -A tigre``). Production settings unless DJANGO_SETTINGS_MODULE says otherwise, as in
wsgi.py; `make run` and the tests name theirs."""

from __future__ import annotations

import logging
import os

from celery import Celery

from tigre.schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tigre.settings.production")

logger = logging.getLogger(__name__)

app = Celery("tigre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["tigre.notifications", "tigre.audit", "tigre.accounts"])
app.conf.beat_schedule = BEAT_SCHEDULE


def publish(task_name: str, *args: object) -> bool:
    """Send a task by name from a web request, after its transaction committed: the data is saved whatever the
    broker does, so a broker that refuses or hangs (bounded by the publish timeouts, README "Operations") is logged
    and reported as False instead of raising into a response whose change is already committed. Each caller says
    what picks the work up later (a sweep, a retry button, generation on demand)."""
    try:
        app.send_task(task_name, args=args, retry=False)
    except Exception as exc:  # any broker failure: the caller's data is committed, the work is picked up later
        logger.warning("Broker unavailable (%s): task %s not published", exc.__class__.__name__, task_name)
        return False
    return True
