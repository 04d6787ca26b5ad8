"""The Celery app (``celery -A tigre``). Production settings unless DJANGO_SETTINGS_MODULE says otherwise, as in
wsgi.py; `make run` and the tests name theirs."""

from __future__ import annotations

import os

from celery import Celery

from tigre.schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tigre.settings.production")

app = Celery("tigre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["tigre.notifications", "tigre.audit", "tigre.accounts"])
app.conf.beat_schedule = BEAT_SCHEDULE
