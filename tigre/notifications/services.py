"""The one way the app sends anything: write outbox rows in the business transaction, deliver after commit.

Redis is a broker, not a database: the row is the message. If the broker is down when the transaction
commits, the row stays pending and ``notifications_sweep`` (every minute) hands it over later. Delivery is
idempotent on the row's unique key, so a message enqueued twice is sent once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .content import subject_for
from .models import Kind, Notification

logger = logging.getLogger(__name__)

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


def enqueue_deliveries(notification_ids: list[int]) -> int:
    """Hand the rows to the broker; returns how many were enqueued. A broker error leaves them pending."""
    from tigre.celery import app

    from .tasks import deliver_notification

    sent = 0
    try:
        with app.connection_for_write(transport_options=ENQUEUE_TRANSPORT_OPTIONS) as conn:
            for pk in notification_ids:
                deliver_notification.apply_async(args=(pk,), retry=False, connection=conn)  # type: ignore[call-arg]
                sent += 1
    except Exception as exc:  # broker unreachable: the periodic sweep will deliver them
        logger.warning(
            "Broker unavailable (%s): %d notification(s) left pending for the sweep",
            exc.__class__.__name__,
            len(notification_ids) - sent,
        )
    return sent


def _row_key(kind: str, key: str, user: Any) -> str:
    return f"{kind}:{key}:u{user.pk}"[:200]


def _write(rows: dict[str, Notification]) -> list[Notification]:
    """Insert the rows not yet in the outbox (constant number of queries), enqueue them after commit."""
    if not rows:
        return []
    existing = set(Notification.objects.filter(key__in=list(rows)).values_list("key", flat=True))
    fresh = [n for k, n in rows.items() if k not in existing]
    if not fresh:
        return []
    # ignore_conflicts: a concurrent writer of the same key wins; the primary keys are then read back.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(key__in=[n.key for n in fresh], state=Notification.State.PENDING).order_by("pk")
    )
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return created


def notify(
    *,
    kind: Kind | str,
    recipients: Iterable[Any],
    key: str,
    case: Any = None,
    meeting: Any = None,
    context: dict[str, Any] | None = None,
) -> list[Notification]:
    """Create one pending notification per recipient, idempotent on (kind, ``key``, recipient).

    Must be called inside the transaction of the business change: if it rolls back, nothing is sent.
    Inactive users are skipped. Returns the rows created now (keys already in the outbox are skipped).
    """
    subject = subject_for(kind=kind, case=case, meeting=meeting)
    rows: dict[str, Notification] = {}
    for user in recipients:
        if user is None or not user.is_active:
            continue
        row_key = _row_key(kind, key, user)
        rows.setdefault(
            row_key,
            Notification(
                kind=kind,
                recipient=user,
                key=row_key,
                case=case,
                meeting=meeting,
                subject=subject,
                context=context or {},
            ),
        )
    return _write(rows)


def notify_many(*, kind: Kind | str, entries: Iterable[dict[str, Any]]) -> list[Notification]:
    """``notify`` for many events at once, in a constant number of queries (agenda builder).

    Each entry: ``recipient``, ``key``, and optionally ``case``, ``meeting``, ``context``. Same keys and
    idempotency as ``notify``: a (kind, key, recipient) already in the outbox is skipped.
    """
    rows: dict[str, Notification] = {}
    for entry in entries:
        user = entry["recipient"]
        if user is None or not user.is_active:
            continue
        row_key = _row_key(kind, entry["key"], user)
        rows.setdefault(
            row_key,
            Notification(
                kind=kind,
                recipient=user,
                key=row_key,
                case=entry.get("case"),
                meeting=entry.get("meeting"),
                subject=subject_for(kind=kind, case=entry.get("case"), meeting=entry.get("meeting")),
                context=entry.get("context") or {},
            ),
        )
    return _write(rows)


@transaction.atomic
def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None). Only the user's own rows."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
