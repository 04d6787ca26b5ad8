"""Delivery of one outbox row by e-mail, and the sweep of what is still pending.

Delivery is at least once (README, "Operations"): the row is locked (``SELECT ... FOR UPDATE SKIP LOCKED``)
while it is sent and must still be PENDING, so two workers given the same id send it once and a row already
sent is never sent again; but if the worker dies after the mail server took the message and before SENT is
committed, the row is sent again later. Each message carries its outbox key in the ``X-TIGRE-Notification``
header, so a receiver can tell a repeat.

Every attempt is counted when it starts, in a transaction committed before sending, so an attempt that never
finishes counts too. A temporary SMTP error (4xx, connection refused, timeout) schedules the next attempt with
exponential backoff; a permanent one (5xx), or the last allowed attempt, marks the row FAILED with its error,
visible in the admin.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection, transaction
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
    "SEND_LEASE_SECONDS": 2 * 60,  # a row being sent is not swept before this (above the task's 90 s time limit)
}
DELIVER_TASK = "tigre.notifications.tasks.deliver_notification"
SUBJECT_PREFIX = "[TIGRE] "  # in the e-mail only: the in-app list shows the subject alone

# A web request must not hang when Redis is down or does not answer (README, "Operations"): two short tries,
# each bounded by socket timeouts (a Redis that accepts connections and never answers would otherwise hold the
# request for ever), about 2 s at worst; then the rows stay pending and the sweep delivers them.
ENQUEUE_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 0.8,
    "socket_timeout": 0.8,
}


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
    mail_connection = None
    if n.relay:
        mail_connection = relay_connection(n.relay)
        sender = settings.EMAIL_RELAYS[n.relay].get("FROM_EMAIL") or sender
    msg = EmailMultiAlternatives(SUBJECT_PREFIX + n.subject, text, sender, [n.address], connection=mail_connection)
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


def _claim(notification_id: int) -> int | None:
    """Count the attempt before making it, in a transaction of its own; returns the attempt number, or None when
    there is nothing to send (not pending, another worker holds it, or it has just been marked FAILED).

    Committed before anything is sent, so an attempt that never finishes (its worker killed by the OOM killer,
    a deploy or the message itself) still counts: a message that keeps killing its worker ends FAILED after
    MAX_ATTEMPTS instead of being re-delivered for ever.
    """
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True)
            .only("pk", "state", "attempts", "last_error", "next_attempt_at")
            .filter(pk=notification_id, state=Notification.State.PENDING)
            .first()
        )
        if n is None:
            return None
        if n.attempts >= int(conf("MAX_ATTEMPTS")):
            # Still pending after the last allowed attempt: that attempt never came back.
            n.state = Notification.State.FAILED
            n.next_attempt_at = None
            n.last_error = f"Interrupted: the delivery stopped before finishing ({n.attempts} attempts)"
            n.save(update_fields=["state", "next_attempt_at", "last_error"])
            logger.error("Notification %s failed: %s", n.pk, n.last_error)
            return None
        n.attempts += 1
        # Leased for longer than the task may run (its time limit): the sweep leaves it alone meanwhile, and takes
        # it again if the attempt dies with its Celery message.
        n.next_attempt_at = timezone.now() + dt.timedelta(seconds=int(conf("SEND_LEASE_SECONDS")))
        n.save(update_fields=["attempts", "next_attempt_at"])
        return n.attempts


# pg_try_advisory_lock(DELIVERY_LOCK, id): "this row is being delivered", held by the worker's database session from
# the count of the attempt to the end of the send; PostgreSQL drops it with the session if the worker dies.
DELIVERY_LOCK = 7001


@contextmanager
def _delivering(notification_id: int) -> Iterator[bool]:
    """Whether this worker may deliver the row now (no other worker is between counting and sending it)."""
    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`: one writer at a time anyway
        yield True
        return
    key = [DELIVERY_LOCK, notification_id & 0x7FFFFFFF]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except DatabaseError:  # the session is gone, and its lock with it
                logger.warning("Notification %s: the delivery lock went with its connection", notification_id)


def notification_deliver(*, notification_id: int) -> str:
    """Send one row. Returns "sent", "skipped" (not pending, or another worker holds it) or "failed";
    raises TemporaryDeliveryError after recording a temporary failure (the caller retries).

    Two transactions under one advisory lock: the attempt is counted and committed first (``_claim``), then the
    row is locked again while the message is sent. The advisory lock keeps a second worker given the same row from
    counting an attempt of its own in between; the row lock and its attempt count keep it from sending.
    """
    with _delivering(notification_id) as mine:
        if not mine:
            return "skipped"
        return _deliver(notification_id)


def _deliver(notification_id: int) -> str:
    attempt = _claim(notification_id)
    if attempt is None:
        return "skipped"
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, state=Notification.State.PENDING, attempts=attempt)
            .first()
        )
        if n is None:
            return "skipped"
        now = timezone.now()
        try:
            msg = build_message(n)
            msg.send()
        except Exception as exc:
            n.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            final = is_permanent(exc) or n.attempts >= int(conf("MAX_ATTEMPTS"))
            if final:
                n.state = Notification.State.FAILED
                n.next_attempt_at = None
            else:
                n.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(n.attempts))
            n.save(update_fields=["last_error", "state", "next_attempt_at"])
            logger.warning("Notification %s attempt %s failed: %s", n.pk, n.attempts, n.last_error)
            result = "failed" if final else "retry"
        else:
            n.state = Notification.State.SENT
            n.sent_at = now
            n.next_attempt_at = None
            # last_error is kept: it tells that the message got through after a failure.
            n.save(update_fields=["state", "sent_at", "next_attempt_at"])
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
