"""Writes of the urgent TAG track (docs/domain.md, "Urgent requests")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from referents.selectors import referents_available
from tigre.accounts.models import User
from tigre.accounts.roles import Role
from tigre.notifications.models import Notification

from ..hooks import hooks
from ..messages import Kind, notify_case, when
from ..models import Case, CaseStatus, Toxicity, Urgency
from ..signals import urgent_opinion_recorded
from ..workflow import case_transition
from .selectors import AWAITING_STATUSES, alerted_user_ids, can_acknowledge, urgent_list_link


class UrgentError(ValidationError):
    """An urgent-track action refused, with a French message for the user."""


def _active(role: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=role).distinct()


def _case_categories(case: Case) -> list[int]:
    return list(
        Toxicity.objects.filter(case_id=case.pk).values_list("event__category_id", flat=True).distinct().order_by()
    )


def urgent_recipients(*, case: Case, on: dt.date | None = None) -> list[User]:
    """Who hears of an urgent request at once: the coordinators on duty (those of the coming meeting; all active
    coordinators if there is none), the available referents of its organs who take urgent requests, and the
    secretariat."""
    on = on or timezone.localdate()
    coordinators = hooks.on_duty_coordinators() or list(_active(Role.COORDINATOR))
    availability = referents_available(
        categories=_case_categories(case), on=on, prefer_centre=case.requester_centre_id, urgent_only=True
    )
    referents = [r.user for a in availability.values() for r in a.referents]
    return [*coordinators, *referents, *_active(Role.SECRETARIAT)]


def _urgent_context(case: Case) -> dict[str, object]:
    return {
        "urgent": True,
        "grade": case.highest_grade,
        "requester": case.requester.display_name,
    }


def urgent_case_alert(*, case: Case) -> list[Notification]:
    """Alert the people who must hear of an urgent request at once. Called inside the submit transaction."""
    if case.urgent_alerted_at is None:
        case.urgent_alerted_at = timezone.now()
        Case.objects.filter(pk=case.pk, urgent_alerted_at__isnull=True).update(urgent_alerted_at=case.urgent_alerted_at)
    return notify_case(
        kind=Kind.URGENT_ALERT,
        case=case,
        recipients=urgent_recipients(case=case),
        context=_urgent_context(case),
        link=urgent_list_link(case),
    )


@transaction.atomic
def urgent_acknowledge(*, case: Case, by: User) -> tuple[Case, bool]:
    """ "Je prends la demande": the first one wins (row lock). Returns (case, taken_now); when someone else
    was first, taken_now is False and case.urgent_acknowledged_by says who."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("urgent_acknowledged_by", "patient", "requester")
        .get(pk=case.pk)
    )
    if not can_acknowledge(case=locked, user=by):
        raise UrgentError(_("Vous ne pouvez pas prendre en charge cette demande."))
    if locked.urgent_acknowledged_by_id is not None:
        return locked, locked.urgent_acknowledged_by_id == by.pk
    if locked.status not in AWAITING_STATUSES:
        raise UrgentError(_("Cette demande n'est plus en attente de prise en charge."))
    locked.urgent_acknowledged_by = by
    locked.urgent_acknowledged_at = timezone.now()
    locked.save(update_fields=["urgent_acknowledged_by", "urgent_acknowledged_at", "updated_at"])
    others = User.objects.filter(pk__in=alerted_user_ids(locked) - {by.pk}, is_active=True)
    notify_case(
        kind=Kind.URGENT_ACKNOWLEDGED,
        case=locked,
        recipients=[locked.requester, *others],
        context={"acknowledged_by": by.display_name},
        link=urgent_list_link(locked),
        actor=by,
    )
    return locked, True


@transaction.atomic
def urgent_opinion_record(*, case: Case, by: User, opinion: str) -> Case:
    """The acknowledging physician's urgent opinion: recorded, the requester told at once, the case accepted
    (the meetings app then puts it on the next agenda for ratification: ``urgent_opinion_recorded``)."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise UrgentError(_("Rédigez l'avis urgent."))
    locked = Case.objects.select_for_update(of=("self",)).select_related("requester", "patient").get(pk=case.pk)
    if locked.urgent_acknowledged_by_id != by.pk:
        raise UrgentError(_("Seul le médecin qui a pris en charge la demande peut rendre l'avis urgent."))
    if locked.urgent_opinion_at is not None:
        raise UrgentError(_("L'avis urgent a déjà été rendu."))
    if locked.status in (CaseStatus.SUBMITTED, CaseStatus.INFO_REQUESTED):
        if locked.status == CaseStatus.INFO_REQUESTED:
            case_transition(case=locked, to=CaseStatus.SUBMITTED, by=by, reason=_("Avis urgent rendu."))
        case_transition(case=locked, to=CaseStatus.ACCEPTED, by=by, reason=_("Avis urgent rendu."))
    elif locked.status not in (CaseStatus.ACCEPTED, CaseStatus.SCHEDULED):
        raise UrgentError(_("Cette demande n'est plus ouverte."))
    locked.urgent_opinion = opinion
    locked.urgent_opinion_at = timezone.now()
    locked.urgent_opinion_by = by
    locked.save(update_fields=["urgent_opinion", "urgent_opinion_at", "urgent_opinion_by", "updated_at"])
    # The opinion itself stays in the app (health data): the e-mail says who gave it and when.
    notify_case(
        kind=Kind.URGENT_OPINION,
        case=locked,
        recipients=[locked.requester, *locked.co_requesters.all()],
        context={
            "acknowledged_by": by.display_name,
            "opinion_at": when(locked.urgent_opinion_at),
        },
        actor=by,
    )
    urgent_opinion_recorded.send(sender=Case, case=locked, by=by)
    return locked


def overdue_unacknowledged(*, now: dt.datetime) -> QuerySet[Case]:
    limit = now - dt.timedelta(minutes=int(settings.TIGRE["URGENT_ESCALATION_MINUTES"]))
    return Case.objects.filter(
        urgency=Urgency.URGENT,
        urgent_alerted_at__lte=limit,
        urgent_acknowledged_at__isnull=True,
        urgent_escalated_at__isnull=True,
        status__in=AWAITING_STATUSES,
    )


def escalation_recipients(*, case: Case, on: dt.date) -> list[User]:
    """All active coordinators and the available backup referents of the request's organs."""
    availability = referents_available(categories=_case_categories(case), on=on)
    backups = [r.user for a in availability.values() for r in a.backups]
    return [*_active(Role.COORDINATOR), *backups]


def urgent_escalate_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Escalate, once, each urgent request nobody acknowledged in time. Returns the escalated case ids."""
    now = now or timezone.now()
    escalated: list[int] = []
    for pk in list(overdue_unacknowledged(now=now).values_list("pk", flat=True)[:100]):
        with transaction.atomic():
            # SKIP LOCKED: a case being acknowledged right now is left alone; the filter is re-checked locked.
            case = (
                overdue_unacknowledged(now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("requester_centre", "requester", "patient")
                .filter(pk=pk)
                .first()
            )
            if case is None:
                continue
            notify_case(
                kind=Kind.URGENT_ESCALATION,
                case=case,
                recipients=escalation_recipients(case=case, on=timezone.localdate(now)),
                context={**_urgent_context(case), "alerted_at": when(case.urgent_alerted_at)},
                link=urgent_list_link(case),
            )
            Case.objects.filter(pk=case.pk).update(urgent_escalated_at=now)
            escalated.append(case.pk)
    return escalated
