"""The real Celery worker and SMTP server of tests/notifications/test_worker.py, for the fault drills here."""

from __future__ import annotations

from tests.notifications.test_worker import box, mailbox, worker  # noqa: F401 (fixtures)
