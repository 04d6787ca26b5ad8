"""Reads of the calendar exports: whose feed a secret URL is, and which meetings go into it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from meetings.models import CalendarFeed, Meeting
from tigre.accounts.models import User
from tigre.accounts.roles import Role

# Meetings of the last days stay in a feed, so that a calendar keeps the recent history.
FEED_HISTORY = dt.timedelta(days=30)


def calendar_feed_live(user: User) -> CalendarFeed | None:
    """The user's live feed (not revoked), if any."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at").first()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed of an active account whose secret URL carries ``token`` (None: unknown, revoked, inactive)."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def meetings_for_feed(user: User, *, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """The meetings of a user's personal calendar feed, each with its ``item_count``.

    The secretariat gets every meeting; anyone else the meetings they coordinate or are invited to; from
    ``FEED_HISTORY`` ago on.
    """
    now = now or timezone.now()
    qs = Meeting.objects.filter(ends_at__gte=now - FEED_HISTORY)
    if not (user.is_superuser or user.has_role(Role.SECRETARIAT)):
        ids = Meeting.objects.filter(
            Q(coordinators=user) | Q(participants__user=user, participants__invited=True)
        ).values("pk")
        qs = qs.filter(pk__in=ids)
    return qs.annotate(item_count=Count("items")).order_by("starts_at")
