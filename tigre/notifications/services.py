"""The one way the app sends anything: write outbox rows in the business transaction, deliver after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from .models import Kind, Notification

logger = logging.getLogger(__name__)


def _enqueue(notification_ids: list[int]) -> None:
    """Hand the rows to the broker. If it is down, the rows stay pending and the sweep delivers them."""
    from .tasks import deliver_notification

    for pk in notification_ids:
        try:
            deliver_notification.apply_async(args=[pk], retry=False)
        except Exception:  # broker unreachable: the periodic sweep will deliver it
            logger.warning("Broker unavailable, notification %s left pending for the sweep", pk)
            return


def notify(
    *,
    kind: Kind | str,
    recipients: Iterable[Any],
    key: str,
    case: Any = None,
    meeting: Any = None,
    context: dict[str, Any] | None = None,
) -> list[Notification]:
    """Create one pending notification per recipient, idempotent on ``key`` + recipient.

    Must be called inside the transaction of the business change: if it rolls back, nothing is sent.
    Returns the rows created now (already-existing keys are skipped).
    """
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        row_key = f"{kind}:{key}:u{user.pk}"
        try:
            with transaction.atomic():
                obj = Notification.objects.create(
                    kind=kind, recipient=user, key=row_key, case=case, meeting=meeting, context=context or {}
                )
        except IntegrityError:
            continue  # already notified for this event
        created.append(obj)
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return created
