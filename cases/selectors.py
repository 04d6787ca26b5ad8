"""Reads of cases, already scoped to the user. Outside the user's scope a case does not exist (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from tigre.accounts.models import User
from tigre.accounts.roles import Role

from .hooks import hooks
from .models import Avis, Case, CaseMessage, CaseStatus, StatusChange
from .urgent.selectors import alerted_scope


def matching(q: str) -> Q:
    """Requests whose reference or patient's names contain ``q`` (the search of every list of requests)."""
    return (
        Q(reference__icontains=q)
        | Q(patient__birth_name__icontains=q)
        | Q(patient__used_name__icontains=q)
        | Q(patient__first_names__icontains=q)
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Object-level scope (issue on security):

    - secretariat, coordinators, CRPV: every submitted case, and their own drafts (a draft belongs to its authors:
      docs/privacy.md#what-each-role-sees); superusers: every case;
    - a clinician: their own requests and those naming them co-requester;
    - a referent: also the cases on meetings they are invited to, and the urgent requests alerted to them.
    """
    qs = Case.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    own = Q(requester=user) | Q(pk__in=Case.co_requesters.through.objects.filter(user=user).values("case_id"))
    if user.sees_all_cases:
        return qs.filter(~Q(status=CaseStatus.DRAFT) | own)
    scope = Q(requester=user) | Q(co_requesters=user)
    if user.has_role(Role.REFERENT):
        scope |= hooks.referent_meeting_scope(user) | alerted_scope(user)
    ids = Case.objects.filter(scope).values("pk")
    return qs.filter(pk__in=ids)


def get_case_for_user(user: User, pk: int | str) -> Case:
    try:
        return cases_visible_to(user).select_related("patient", "requester", "requester_centre").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- The requester's space (request form, "Mes demandes", case page) -----------------------------------------


def submitted_by(user: User, pk: int | str) -> bool:
    """Whether ``pk`` is a request of ``user`` (requester or co-requester) that is no longer a draft."""
    if not user.is_authenticated:
        return False
    ids = Case.objects.filter(Q(requester=user) | Q(co_requesters=user)).values("pk")
    return Case.objects.filter(pk__in=ids, pk=pk).exclude(status=CaseStatus.DRAFT).exists()


def form_token_used(user: User, token: Any) -> bool:
    """Whether a new-request form (its ``form_token``) already made a request of ``user``."""
    return Case.objects.filter(form_token=token, requester=user).exists()


def my_cases(user: User) -> QuerySet[Case]:
    """The user's own requests and those naming them co-requester, with the next scheduled meeting date, the
    latest changed first (the page's filters, ``filters.MyCasesFilter``, narrow it)."""
    # A union, not an OR across the co-requester join: the OR reads every request (100,000; bench).
    ids = (
        Case.objects.filter(requester=user)
        .order_by()
        .values("pk")
        .union(Case.co_requesters.through.objects.filter(user=user).order_by().values("case_id"))
    )
    qs = (
        Case.objects.filter(pk__in=ids)
        .select_related("patient", "requester")
        .annotate(next_meeting_at=hooks.next_meeting_at())
        .order_by("-updated_at", "-pk")
    )
    return qs


def case_for_page(user: User, pk: int | str) -> Case:
    """A case with everything its page shows, in a constant number of queries (404 outside scope)."""
    try:
        return (
            cases_visible_to(user)
            .select_related("patient", "patient__treating_centre", "requester", "requester_centre")
            .prefetch_related(
                "co_requesters",
                "lines__drugs",
                "toxicities__event__category",
                "attachments",
                Prefetch("status_changes", queryset=StatusChange.objects.select_related("by")),
                Prefetch("messages", queryset=CaseMessage.objects.select_related("author")),
                Prefetch(
                    "avis_set",
                    queryset=Avis.objects.filter(state=Avis.State.VALIDATED)
                    .select_related("validated_by")
                    .order_by("-validated_at"),
                    to_attr="validated_avis",
                ),
            )
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_timeline(case: Case) -> list[dict[str, Any]]:
    """Status changes and messages of a case (already prefetched by ``case_for_page``), oldest first."""
    entries: list[dict[str, Any]] = [
        {"at": change.at, "kind": "status", "change": change} for change in case.status_changes.all()
    ]
    entries += [{"at": msg.created_at, "kind": "message", "message": msg} for msg in case.messages.all()]
    entries.sort(key=lambda e: e["at"])
    return entries
