"""Reads of the access trail (coordinators and administrators only: the views check the role)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AccessLog


def access_log_search(
    *,
    user: str = "",
    action: str = "",
    case_reference: str = "",
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[AccessLog]:
    """The trail filtered by the log page's (already validated) fields, newest first, with everything each row
    shows joined in (one query per page whatever its length)."""
    qs = AccessLog.objects.select_related("user", "case", "patient")
    if user:
        qs = qs.filter(
            Q(user__email__icontains=user) | Q(user__last_name__icontains=user) | Q(user__first_name__icontains=user)
        )
    if action:
        qs = qs.filter(action=action)
    if case_reference:
        qs = qs.filter(case__reference__icontains=case_reference)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(at__lt=timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), tz))
    return qs.order_by("-at", "-pk")
