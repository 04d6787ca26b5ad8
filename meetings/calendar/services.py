"""Writes of the personal calendar feeds: one live secret URL per person, revocable."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from meetings.models import CalendarFeed
from tigre.accounts.models import User


@transaction.atomic
def calendar_feed_create(*, user: User) -> CalendarFeed:
    """A new secret feed URL for the user; any previous one is revoked (one live URL per person)."""
    calendar_feed_revoke(user=user)
    return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> int:
    """Revoke the user's live feed URLs: they answer 404 from now on."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
