"""Reads of the urgent TAG track, scoped to the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tigre.accounts.models import User
from tigre.accounts.roles import Role

from ..messages import Kind, case_link
from ..models import Case, CaseStatus, Urgency

# Statuses in which an urgent request still waits for someone to take it.
AWAITING_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.INFO_REQUESTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED)
ALERT_KINDS = (Kind.URGENT_ALERT, Kind.URGENT_ESCALATION)


def sees_every_urgent_case(user: User) -> bool:
    return bool(user.is_superuser or user.has_role(Role.COORDINATOR, Role.SECRETARIAT))


def alerted_scope(user: User) -> Q:
    """A filter on Case: the requests whose urgent alert or escalation was sent to ``user``."""
    return Q(notifications__recipient=user, notifications__kind__in=ALERT_KINDS)


def alerted_user_ids(case: Case) -> set[int]:
    return set(case.notifications.filter(kind__in=ALERT_KINDS).values_list("recipient_id", flat=True))


def can_acknowledge(*, case: Case, user: User) -> bool:
    """A coordinator, or a referent this request was sent to (alert or escalation). The secretariat follows
    the request but does not take it: whoever takes it gives the urgent opinion."""
    if not case.is_urgent or case.urgent_alerted_at is None:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return user.has_role(Role.REFERENT) and user.pk in alerted_user_ids(case)


def urgent_list_link(case: Case) -> Callable[[User], str]:
    """Where an urgent message points: the urgent list, except for the requester, who follows the case page."""
    requester_id = case.requester_id

    def link(user: User) -> str:
        return case_link(case) if user.pk == requester_id else reverse("urgent:list")

    return link


def urgent_cases_for(user: User) -> QuerySet[Case]:
    """Open urgent requests not yet answered by an urgent opinion. Coordinators and the secretariat see them
    all; a referent only those they were alerted to (alert or escalation)."""
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
    if sees_every_urgent_case(user):
        return qs
    return qs.filter(alerted_scope(user)).distinct()


def recently_answered_for(user: User, *, days: int = 7) -> QuerySet[Case]:
    """Urgent requests whose opinion was given in the last ``days`` days (same scope)."""
    since = timezone.now() - dt.timedelta(days=days)
    qs = (
        Case.objects.filter(urgency=Urgency.URGENT, urgent_opinion_at__gte=since)
        .select_related("patient", "urgent_acknowledged_by")
        .order_by("-urgent_opinion_at")
    )
    if sees_every_urgent_case(user):
        return qs
    return qs.filter(alerted_scope(user)).distinct()


def urgent_case_for_user(user: User, pk: int | str) -> Case:
    """An urgent request the user may act on from the urgent pages, else 404."""
    try:
        case = (
            Case.objects.select_related("patient", "requester", "urgent_acknowledged_by")
            .prefetch_related("toxicities__event__category")
            .get(pk=pk, urgency=Urgency.URGENT, urgent_alerted_at__isnull=False)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if sees_every_urgent_case(user):
        return case
    if user.has_role(Role.REFERENT) and user.pk in alerted_user_ids(case):
        return case
    raise Http404


@dataclass(frozen=True)
class UrgentPanel:
    case: Case
    can_acknowledge: bool
    acknowledged_by_me: bool
    can_give_opinion: bool
    age: dt.timedelta | None


def urgent_panel_for(*, case: Case, user: User) -> UrgentPanel | None:
    """What the urgent panel of a case page shows the user (None when the case is not on the urgent track)."""
    if not case.is_urgent or case.urgent_alerted_at is None:
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
