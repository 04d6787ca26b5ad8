"""THE periodic schedule (Celery beat), in one place. Crontabs are in the Celery timezone, Europe/Paris
(CELERY_TIMEZONE). Run exactly one beat process: every entry is idempotent (its outbox keys carry the
meeting or the day), but two beats would still do each job twice for nothing."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # The coming Wednesdays' meetings, created ahead (meetings app).
    "meetings-create-ahead": {
        "task": "meetings.tasks.create_meetings_ahead",
        "schedule": crontab(minute=10, hour=3),
    },
    # Monday 12:00: requesters of incomplete requests, before the Monday 23:59 cut-off.
    "notifications-incomplete-before-cutoff": {
        "task": "meetings.tasks.remind_incomplete_before_cutoff",
        "schedule": crontab(minute=0, hour=12, day_of_week="mon"),
    },
    # Tuesday 00:05, just after the cut-off: the secretariat's summary.
    "notifications-cutoff-summary": {
        "task": "meetings.tasks.send_cutoff_summary",
        "schedule": crontab(minute=5, hour=0, day_of_week="tue"),
    },
    # Tuesday 17:00: the referents' reminder for Wednesday's meeting.
    "notifications-meeting-reminder": {
        "task": "meetings.tasks.remind_meeting_tomorrow",
        "schedule": crontab(minute=0, hour=17, day_of_week="tue"),
    },
    # Every minute: what the broker never delivered (Redis was down, a worker died) or a retry now due.
    "notifications-sweep-pending": {
        "task": "tigre.notifications.tasks.sweep_pending_notifications",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    # Every 5 minutes: urgent requests nobody took in time go to all coordinators and backup referents (cases).
    "notifications-urgent-escalation": {
        "task": "cases.tasks.escalate_unacknowledged_urgent_cases",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 270},
    },
    # Daily 08:30: the CRPV's reminder of follow-ups "to declare" for too long.
    "notifications-pv-reminder": {
        "task": "cases.pharmacovigilance.tasks.remind_pv_to_declare",
        "schedule": crontab(minute=30, hour=8),
    },
    # Daily 09:00: the requesters of the avis whose réévaluation date has come are asked what happened (cases).
    "notifications-follow-up-due": {
        "task": "cases.followup.tasks.send_due_follow_ups",
        "schedule": crontab(minute=0, hour=9),
    },
    # Daily 02:30: access-trail rows past TIGRE["ACCESS_LOG_RETENTION_DAYS"] (security; audit app).
    "audit-purge-access-log": {
        "task": "tigre.audit.tasks.purge_access_log",
        "schedule": crontab(minute=30, hour=2),
    },
}
