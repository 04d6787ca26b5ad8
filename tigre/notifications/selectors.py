"""Reads of the outbox, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tigre.accounts.models import User

from .models import Notification


def inbox_for(user: User) -> QuerySet[Notification]:
    """The user's notifications of what others did (receipts of their own actions are e-mailed only), newest
    first."""
    return Notification.objects.filter(recipient=user, own_action=False).order_by("-created_at", "-pk")


def unread_count(user: User | AnonymousUser | None) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True, own_action=False).count()


@dataclass
class InboxGroup:
    """Notifications of one kind about one thing (a request, a meeting), shown as one line: the newest first."""

    latest: Notification
    items: list[Notification] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.items if n.read_at is None)


def _group_key(n: Notification) -> tuple[Any, ...]:
    if n.about_id is None:
        return ("one", n.pk)
    return (n.kind, n.about_type_id, n.about_id)


def inbox_groups(notifications: list[Notification]) -> list[InboxGroup]:
    """``notifications`` (newest first) grouped by kind and subject matter, in the order of their newest."""
    groups: dict[tuple[Any, ...], InboxGroup] = {}
    for n in notifications:
        group = groups.setdefault(_group_key(n), InboxGroup(latest=n))
        group.items.append(n)
    return list(groups.values())


def same_group_unread_ids(user: User, n: Notification) -> list[int]:
    """The user's unread notifications grouped with ``n`` (read together when one of them is opened)."""
    if n.about_id is None:
        return [n.pk]
    return list(
        Notification.objects.filter(
            recipient=user, read_at__isnull=True, kind=n.kind, about_type_id=n.about_type_id, about_id=n.about_id
        ).values_list("pk", flat=True)
    ) or [n.pk]
