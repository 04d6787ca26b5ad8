"""Reads of follow-ups (docs/domain.md#follow-up-at-the-reevaluation-date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from tigre.accounts.models import User

from ..models import Avis, Case, CaseStatus
from .models import FollowUp

# Requests whose avis may still be followed up (a withdrawn or declined request has no avis to follow).
FOLLOWED_STATUSES = (CaseStatus.AVIS_VALIDATED, CaseStatus.CLOSED)


def avis_due(*, today: dt.date) -> QuerySet[Avis]:
    """Validated avis whose réévaluation date has come (within TIGRE["FOLLOW_UP_WINDOW_DAYS"]: an avis recorded
    long after its date, or the feature's first day, does not ask about a distant past) and not asked yet."""
    since = today - dt.timedelta(days=settings.TIGRE["FOLLOW_UP_WINDOW_DAYS"])
    return (
        Avis.objects.filter(
            state=Avis.State.VALIDATED,
            follow_up_date__lte=today,
            follow_up_date__gte=since,
            case__status__in=FOLLOWED_STATUSES,
            follow_up__isnull=True,
        )
        .select_related("case__patient", "case__requester")
        .prefetch_related("case__co_requesters")
        .order_by("follow_up_date", "pk")
    )


def follow_ups_of(case: Case) -> list[FollowUp]:
    """The follow-ups of a request, for its page (one query)."""
    return list(FollowUp.objects.filter(case=case).select_related("answered_by"))


def follow_up_for_answer(user: User, pk: Any) -> FollowUp:
    """A follow-up the user may answer: the request's requester or a co-requester only (others: 404)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    mine = Case.objects.filter(Q(requester=user) | Q(co_requesters=user)).values("pk")
    try:
        return FollowUp.objects.select_related("case__patient", "avis", "answered_by").filter(case__in=mine).get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
