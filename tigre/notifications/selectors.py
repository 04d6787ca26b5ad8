"""Reads of the outbox, scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def inbox_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
