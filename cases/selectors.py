"""Reads of cases, already scoped to the user. Outside the user's scope a case does not exist (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tigre.accounts.roles import Role

from .models import Case


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Object-level scope (issue on security):

    - secretariat, coordinators, CRPV (and superusers): every case;
    - a clinician: their own requests and those naming them co-requester;
    - a referent: also the cases on meetings they are invited to, and the urgent requests alerted to them.
    """
    qs = Case.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.sees_all_cases:
        return qs
    scope = Q(requester=user) | Q(co_requesters=user)
    if user.has_role(Role.REFERENT):
        scope |= Q(agenda_items__meeting__participants__user=user, agenda_items__meeting__participants__invited=True)
        scope |= Q(notifications__recipient=user, notifications__kind__in=("urgent_alert", "urgent_escalation"))
    ids = Case.objects.filter(scope).values("pk")
    return qs.filter(pk__in=ids)


def get_case_for_user(user: Any, pk: Any) -> Case:
    try:
        return cases_visible_to(user).select_related("patient", "requester", "requester_centre").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
