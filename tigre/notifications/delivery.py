"""Delivery of one outbox row by e-mail, and the sweep of what is still pending.

Idempotent: the row is locked (``SELECT ... FOR UPDATE SKIP LOCKED``) and must still be PENDING, so two
workers given the same id send it once, and a row already sent is never sent again. A temporary SMTP error
(4xx, connection refused, timeout) counts an attempt and schedules the next one with exponential backoff;
a permanent one (5xx) or the last allowed attempt marks the row FAILED with its error.

The one residual risk, as with any outbox: the mail server accepts the message and the database commit of
SENT then fails; the row is then sent again later (at least once, never lost).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tigre.celery import app

from .models import Notification

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "MAX_ATTEMPTS": 6,  # then FAILED
    "RETRY_BACKOFF_SECONDS": 30,  # 30 s, 1, 2, 4, 8 min...
    "RETRY_BACKOFF_MAX_SECONDS": 30 * 60,
    "SWEEP_AFTER_SECONDS": 60,  # rows younger than this are left to their on-commit delivery
    "SWEEP_BATCH": 200,
    "SWEEP_LEASE_SECONDS": 5 * 60,  # a swept row is not swept again before this
}
DELIVER_TASK = "tigre.notifications.tasks.deliver_notification"
SUBJECT_PREFIX = "[TIGRE] "  # in the e-mail only: the in-app list shows the subject alone

# A web request must not hang when Redis is down: one quick attempt, then the sweep takes over.
ENQUEUE_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def conf(name: str) -> Any:
    """Delivery tuning: ``settings.NOTIFICATIONS[name]`` if set, else the default above."""
    return {**DEFAULTS, **getattr(settings, "NOTIFICATIONS", {})}[name]


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now; the task retries with backoff."""


def enqueue_deliveries(notification_ids: list[int]) -> int:
    """Hand the rows to the broker; returns how many were enqueued. A broker error leaves them pending.

    The task is sent by name: this module is what the task calls, so it cannot import the task."""
    sent = 0
    try:
        with app.connection_for_write(transport_options=ENQUEUE_TRANSPORT_OPTIONS) as conn:
            for pk in notification_ids:
                app.send_task(DELIVER_TASK, args=(pk,), retry=False, connection=conn)
                sent += 1
    except Exception as exc:  # broker unreachable: the periodic sweep will deliver them
        logger.warning(
            "Broker unavailable (%s): %d notification(s) left pending for the sweep",
            exc.__class__.__name__,
            len(notification_ids) - sent,
        )
    return sent


def backoff_seconds(attempts: int) -> int:
    base = int(conf("RETRY_BACKOFF_SECONDS"))
    return int(min(base * 2 ** max(attempts - 1, 0), int(conf("RETRY_BACKOFF_MAX_SECONDS"))))


def is_permanent(exc: BaseException) -> bool:
    """5xx answers will not get better by retrying; everything else (4xx, network) may."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    # A malformed address or header, an unknown relay, an attached file gone from the storage.
    return isinstance(exc, (ValueError, UnicodeError, FileNotFoundError))


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class RelayNotConfigured(ValueError):
    """The row names an SMTP relay that settings.EMAIL_RELAYS does not define (a permanent failure)."""


def relay_connection(name: str) -> Any:
    """A mail connection to the named relay of settings.EMAIL_RELAYS (an ``env.email_url`` dict)."""
    config = getattr(settings, "EMAIL_RELAYS", {}).get(name)
    if not config:
        raise RelayNotConfigured(f"SMTP relay {name!r} is not configured (settings.EMAIL_RELAYS)")
    return get_connection(
        backend=config["EMAIL_BACKEND"],
        fail_silently=False,
        host=config.get("EMAIL_HOST") or None,
        port=config.get("EMAIL_PORT") or None,
        username=config.get("EMAIL_HOST_USER") or None,
        password=config.get("EMAIL_HOST_PASSWORD") or None,
        use_tls=config.get("EMAIL_USE_TLS") or None,
        use_ssl=config.get("EMAIL_USE_SSL") or None,
        timeout=config.get("EMAIL_TIMEOUT") or settings.EMAIL_TIMEOUT,
    )


def build_message(n: Notification) -> EmailMultiAlternatives:
    """The e-mail of a row: its template rendered with its stored context, the recipient and the links; sent to the
    row's address, through its relay, with its attached files."""
    ctx: dict[str, Any] = {
        **(n.context or {}),
        "recipient": n.recipient,
        "site_url": settings.SITE_URL,
        "url": absolute(n.link or "/"),
        "inbox_url": absolute(reverse("notifications:inbox")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"{n.template}.txt", ctx)
        html = render_to_string(f"{n.template}.html", ctx)
    sender = settings.DEFAULT_FROM_EMAIL
    connection = None
    if n.relay:
        connection = relay_connection(n.relay)
        sender = settings.EMAIL_RELAYS[n.relay].get("FROM_EMAIL") or sender
    msg = EmailMultiAlternatives(SUBJECT_PREFIX + n.subject, text, sender, [n.address], connection=connection)
    msg.attach_alternative(html, "text/html")
    msg.extra_headers["X-TIGRE-Notification"] = n.key[:200]
    for item in n.attachments or []:
        with default_storage.open(item["path"], "rb") as handle:
            msg.attach(item["filename"], handle.read(), item.get("content_type") or "application/octet-stream")
    return msg


def _delete_attachments(n: Notification) -> None:
    """A sent message's files are not kept: they hold health data, and the row is never sent again."""
    paths = [item["path"] for item in n.attachments or []]

    def delete() -> None:
        for path in paths:
            default_storage.delete(path)

    if paths:
        transaction.on_commit(delete)


def notification_deliver(*, notification_id: int) -> str:
    """Send one row. Returns "sent", "skipped" (not pending, or another worker holds it) or "failed";
    raises TemporaryDeliveryError after recording a temporary failure (the caller retries)."""
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, state=Notification.State.PENDING)
            .first()
        )
        if n is None:
            return "skipped"
        n.attempts += 1
        now = timezone.now()
        try:
            build_message(n).send()
        except Exception as exc:
            n.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            final = is_permanent(exc) or n.attempts >= int(conf("MAX_ATTEMPTS"))
            if final:
                n.state = Notification.State.FAILED
                n.next_attempt_at = None
            else:
                n.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(n.attempts))
            n.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            logger.warning("Notification %s attempt %s failed: %s", n.pk, n.attempts, n.last_error)
            result = "failed" if final else "retry"
        else:
            n.state = Notification.State.SENT
            n.sent_at = now
            n.next_attempt_at = None
            # last_error is kept: it tells that the message got through after a failure.
            n.save(update_fields=["state", "sent_at", "attempts", "next_attempt_at"])
            _delete_attachments(n)
            result = "sent"
    # Raised after the commit, so the attempt and its error stay recorded.
    if result == "retry":
        raise TemporaryDeliveryError(n.last_error)
    return result


def pending_due(*, now: dt.datetime) -> QuerySet[Notification]:
    older_than = now - dt.timedelta(seconds=int(conf("SWEEP_AFTER_SECONDS")))
    return Notification.objects.filter(state=Notification.State.PENDING, created_at__lte=older_than).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def notifications_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Claim a batch of rows still pending (broker was down, a worker died, a retry is due) and enqueue them.

    Rows are claimed with SKIP LOCKED and leased for a few minutes, so two sweeps never take the same row and
    a row whose delivery message is lost again is swept again later. Returns the ids enqueued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            pending_due(now=now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[: int(conf("SWEEP_BATCH"))]
        )
        if ids:
            lease = now + dt.timedelta(seconds=int(conf("SWEEP_LEASE_SECONDS")))
            Notification.objects.filter(pk__in=ids).update(next_attempt_at=lease)
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    return ids
