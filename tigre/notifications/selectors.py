"""Reads of the outbox and of the urgent track, scoped to the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from tigre.accounts.roles import Role

from .models import Kind, Notification
from .urgent import AWAITING_STATUSES, alerted_user_ids, can_acknowledge


def inbox_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).select_related("case", "meeting").order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def sees_urgent_list(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(Role.COORDINATOR, Role.REFERENT, Role.SECRETARIAT))


def urgent_cases_for(user: Any) -> QuerySet[Any]:
    """Open urgent requests not yet answered by an urgent opinion. Coordinators and the secretariat see them
    all; a referent only those they were alerted to (alert or escalation)."""
    from cases.models import Case, Urgency

    qs = (
        Case.objects.filter(
            urgency=Urgency.URGENT,
            urgent_alerted_at__isnull=False,
            urgent_opinion_at__isnull=True,
            status__in=AWAITING_STATUSES,
        )
        .select_related("patient", "requester", "requester_centre", "urgent_acknowledged_by")
        .order_by("urgent_alerted_at", "pk")
    )
    if user.is_superuser or user.has_role(Role.COORDINATOR, Role.SECRETARIAT):
        return qs
    return qs.filter(
        notifications__recipient=user,
        notifications__kind__in=(Kind.URGENT_ALERT, Kind.URGENT_ESCALATION),
    ).distinct()


def recently_answered_for(user: Any, *, days: int = 7) -> QuerySet[Any]:
    """Urgent requests whose opinion was given in the last ``days`` days (same scope)."""
    from cases.models import Case, Urgency

    since = timezone.now() - dt.timedelta(days=days)
    qs = (
        Case.objects.filter(urgency=Urgency.URGENT, urgent_opinion_at__gte=since)
        .select_related("patient", "urgent_acknowledged_by")
        .order_by("-urgent_opinion_at")
    )
    if user.is_superuser or user.has_role(Role.COORDINATOR, Role.SECRETARIAT):
        return qs
    return qs.filter(
        notifications__recipient=user,
        notifications__kind__in=(Kind.URGENT_ALERT, Kind.URGENT_ESCALATION),
    ).distinct()


def urgent_case_for_user(user: Any, pk: Any) -> Any:
    """An urgent request the user may act on from the urgent pages, else 404."""
    from cases.models import Case, Urgency

    try:
        case = (
            Case.objects.select_related("patient", "requester", "urgent_acknowledged_by")
            .prefetch_related("toxicities__event__category")
            .get(pk=pk, urgency=Urgency.URGENT, urgent_alerted_at__isnull=False)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if user.is_superuser or user.has_role(Role.COORDINATOR, Role.SECRETARIAT):
        return case
    if user.has_role(Role.REFERENT) and user.pk in alerted_user_ids(case):
        return case
    raise Http404


@dataclass(frozen=True)
class UrgentPanel:
    case: Any
    can_acknowledge: bool
    acknowledged_by_me: bool
    can_give_opinion: bool
    age: dt.timedelta | None


def urgent_panel_for(*, case: Any, user: Any) -> UrgentPanel | None:
    """What the urgent panel of a case page shows the user (None when the case is not on the urgent track)."""
    if not getattr(case, "is_urgent", False) or case.urgent_alerted_at is None:
        return None
    ack_id = case.urgent_acknowledged_by_id
    mine = ack_id is not None and ack_id == user.pk
    can_ack = ack_id is None and case.status in AWAITING_STATUSES and can_acknowledge(case=case, user=user)
    return UrgentPanel(
        case=case,
        can_acknowledge=can_ack,
        acknowledged_by_me=mine,
        can_give_opinion=mine and case.urgent_opinion_at is None and case.status in AWAITING_STATUSES,
        age=timezone.now() - case.urgent_alerted_at,
    )
