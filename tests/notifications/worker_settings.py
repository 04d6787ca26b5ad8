"""Settings of the Celery worker started by test_worker.py: the test settings, plus the local SMTP server the
test starts (so the worker process meets real refusals) and short backoffs (so the tests stay fast)."""

from __future__ import annotations

from tigre.settings.test import *  # noqa: F403
from tigre.settings.test import env

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = env.int("TIGRE_TEST_SMTP_PORT")
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
EMAIL_TIMEOUT = 5
NOTIFICATIONS = {"RETRY_BACKOFF_SECONDS": 1, "RETRY_BACKOFF_MAX_SECONDS": 2, "MAX_ATTEMPTS": 4}
CELERY_TASK_DEFAULT_QUEUE = env("TIGRE_TEST_QUEUE")
