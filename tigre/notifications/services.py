"""The one way the app sends anything: write outbox rows in the business transaction, deliver after commit.

Redis is a broker, not a database: the row is the message. If the broker is down when the transaction
commits, the row stays pending and ``notifications_sweep`` (every minute) hands it over later. Delivery is
idempotent on the row's unique key, so a message enqueued twice is sent once.

The outbox knows no domain (docs/architecture.md): callers say what to send. ``subject``, ``link`` and
``context`` may be given once for every recipient or, as a callable taking the recipient, per recipient.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from tigre.accounts.models import User

from .delivery import enqueue_deliveries
from .models import Notification

PerRecipient = Callable[[User], Any]


@dataclass(frozen=True)
class Attachment:
    """A file of the default storage, attached to the e-mail under ``filename``."""

    path: str
    filename: str
    content_type: str = "application/octet-stream"

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "filename": self.filename, "content_type": self.content_type}


@dataclass
class Message:
    """One message to one recipient, as ``notify_many`` takes it.

    ``recipient`` is the user it is for; ``address`` sends it elsewhere than their account address (or, with no
    recipient, to someone who has no account); ``relay`` names an SMTP relay of settings.EMAIL_RELAYS;
    ``attachments`` lists files already stored in the default storage (``Attachment``)."""

    recipient: User | None
    key: str
    subject: str
    link: str = ""
    about: models.Model | None = None
    context: dict[str, Any] = field(default_factory=dict)
    address: str = ""
    relay: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def _row_key(kind: str, key: str, user: User | None, address: str = "") -> str:
    to = f"u{user.pk}" if user is not None else ""
    if address:  # an outside address: part of the key (two addresses of one event are two messages)
        to += ":a" + hashlib.sha256(address.lower().encode()).hexdigest()[:16]
    return f"{kind}:{key}:{to}"[:200]


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


def _row(*, kind: str, template: str, message: Message) -> Notification:
    about = message.about
    return Notification(
        kind=kind,
        recipient=message.recipient,
        to_address=message.address,
        relay=message.relay,
        attachments=[a.as_json() for a in message.attachments],
        key=_row_key(kind, message.key, message.recipient, message.address),
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,  # cached by Django
        about_id=about.pk if about is not None else None,
        subject=str(message.subject)[:300],
        template=template,
        link=message.link[:300],
        context=message.context,
    )


def _for(value: Any, user: User) -> Any:
    return value(user) if callable(value) else value


def notify(
    *,
    kind: str,
    recipients: Iterable[User | None],
    key: str,
    subject: str | PerRecipient,
    link: str | PerRecipient = "",
    about: models.Model | None = None,
    context: dict[str, Any] | PerRecipient | None = None,
    template: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """Create one pending notification per recipient, idempotent on (kind, ``key``, recipient).

    ``actor``: who did what the message tells; their own copy is a receipt (``own_action``), e-mailed only.

    Must be called inside the transaction of the business change: if it rolls back, nothing is sent.
    Inactive users are skipped. The e-mail template is ``template`` (default ``emails/<kind>``). Returns the rows
    created now (keys already in the outbox are skipped).
    """
    return notify_many(
        kind=kind,
        template=template,
        actor=actor,
        messages=[
            Message(
                recipient=user,
                key=key,
                subject=_for(subject, user),
                link=_for(link, user),
                about=about,
                context=_for(context, user) or {},
            )
            for user in recipients
            if user is not None
        ],
    )


def notify_many(
    *, kind: str, messages: Iterable[Message], template: str = "", actor: User | None = None
) -> list[Notification]:
    """``notify`` for many events at once, in a constant number of queries (agenda builder). Same keys and
    idempotency: a (kind, key, recipient) already in the outbox is skipped."""
    template = template or f"emails/{kind}"
    rows: dict[str, Notification] = {}
    for message in messages:
        if message.recipient is None and not message.address:
            raise ValueError("A message needs a recipient or an address")
        if message.recipient is not None and not message.recipient.is_active:
            continue
        row = _row(kind=kind, template=template, message=message)
        row.own_action = actor is not None and message.recipient is not None and message.recipient.pk == actor.pk
        rows.setdefault(row.key, row)
    return _write(rows)


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None). Only the user's own rows."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
