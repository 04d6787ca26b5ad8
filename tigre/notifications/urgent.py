"""The urgent TAG track (DOMAIN.md section 6): alert at once, acknowledge, escalate, urgent opinion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tigre.accounts.models import User
from tigre.accounts.roles import Role

from .models import Kind, Notification
from .services import notify

# Statuses in which an urgent request still waits for someone to take it.
AWAITING_STATUSES = ("submitted", "info_requested", "accepted", "scheduled")


class UrgentError(ValidationError):
    """An urgent-track action refused, with a French message for the user."""


def _active(role: str) -> Any:
    return User.objects.filter(is_active=True, groups__name=role).distinct()


def _case_categories(case: Any) -> list[int]:
    from cases.models import Toxicity

    return list(
        Toxicity.objects.filter(case_id=case.pk).values_list("event__category_id", flat=True).distinct().order_by()
    )


def urgent_recipients(*, case: Any, on: dt.date | None = None) -> list[Any]:
    """Who hears of an urgent request at once: the coming meeting's coordinators (all active coordinators if
    there is no meeting or it has none), the available referents of its organs who take urgent requests,
    and the secretariat."""
    from meetings.selectors import next_meeting
    from referents.selectors import referents_available

    on = on or timezone.localdate()
    meeting = next_meeting()
    coordinators = list(meeting.coordinators.filter(is_active=True)) if meeting is not None else []
    if not coordinators:
        coordinators = list(_active(Role.COORDINATOR))
    availability = referents_available(
        categories=_case_categories(case), on=on, prefer_centre=case.requester_centre_id, urgent_only=True
    )
    referents = [r.user for a in availability.values() for r in a.referents]
    return [*coordinators, *referents, *_active(Role.SECRETARIAT)]


def urgent_case_alert(*, case: Any) -> list[Notification]:
    """Alert the people who must hear of an urgent request at once. Called inside the submit transaction."""
    from cases.models import Case

    rows = notify(kind=Kind.URGENT_ALERT, recipients=urgent_recipients(case=case), key=f"case{case.pk}", case=case)
    if case.urgent_alerted_at is None:
        case.urgent_alerted_at = timezone.now()
        Case.objects.filter(pk=case.pk, urgent_alerted_at__isnull=True).update(urgent_alerted_at=case.urgent_alerted_at)
    return rows


def alerted_user_ids(case: Any) -> set[int]:
    return set(
        Notification.objects.filter(case_id=case.pk, kind__in=(Kind.URGENT_ALERT, Kind.URGENT_ESCALATION)).values_list(
            "recipient_id", flat=True
        )
    )


def can_acknowledge(*, case: Any, user: Any) -> bool:
    """A coordinator, or a referent this request was sent to (alert or escalation). The secretariat follows
    the request but does not take it: whoever takes it gives the urgent opinion."""
    if not case.is_urgent or case.urgent_alerted_at is None:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return user.has_role(Role.REFERENT) and user.pk in alerted_user_ids(case)


@transaction.atomic
def urgent_acknowledge(*, case: Any, by: Any) -> tuple[Any, bool]:
    """ "Je prends la demande": the first one wins (row lock). Returns (case, taken_now); when someone else
    was first, taken_now is False and case.urgent_acknowledged_by says who."""
    from cases.models import Case

    locked = Case.objects.select_for_update(of=("self",)).select_related("urgent_acknowledged_by").get(pk=case.pk)
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
    notify(
        kind=Kind.URGENT_ACKNOWLEDGED,
        recipients=[locked.requester, *others],
        key=f"case{locked.pk}",
        case=locked,
        context={"by": by.display_name},
    )
    return locked, True


@transaction.atomic
def urgent_opinion_record(*, case: Any, by: Any, opinion: str) -> Any:
    """The acknowledging physician's urgent opinion: recorded, the requester told at once, the case accepted
    and put on the next meeting's agenda for ratification."""
    from cases.models import Case, CaseStatus
    from cases.workflow import case_transition
    from meetings.agenda import agenda_add_case
    from meetings.models import AgendaItem
    from meetings.selectors import next_meeting

    opinion = (opinion or "").strip()
    if not opinion:
        raise UrgentError(_("Rédigez l'avis urgent."))
    locked = Case.objects.select_for_update(of=("self",)).select_related("requester").get(pk=case.pk)
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
    locked.save(update_fields=["urgent_opinion", "urgent_opinion_at", "updated_at"])
    notify(
        kind=Kind.URGENT_OPINION,
        recipients=[locked.requester, *locked.co_requesters.all()],
        key=f"case{locked.pk}",
        case=locked,
        context={"by": by.display_name},
    )
    # Ratification at the next meeting; a case already on an agenda is ratified there.
    meeting = next_meeting()
    if (
        meeting is not None
        and locked.status == CaseStatus.ACCEPTED
        and not AgendaItem.objects.filter(meeting=meeting, case=locked).exists()
    ):
        agenda_add_case(meeting=meeting, case=locked, by=by, kind=AgendaItem.Kind.URGENT_RATIFICATION)
    return locked


def overdue_unacknowledged(*, now: dt.datetime) -> Any:
    from cases.models import Case, Urgency

    limit = now - dt.timedelta(minutes=int(settings.TIGRE["URGENT_ESCALATION_MINUTES"]))
    return Case.objects.filter(
        urgency=Urgency.URGENT,
        urgent_alerted_at__lte=limit,
        urgent_acknowledged_at__isnull=True,
        urgent_escalated_at__isnull=True,
        status__in=AWAITING_STATUSES,
    )


def escalation_recipients(*, case: Any, on: dt.date) -> list[Any]:
    """All active coordinators and the available backup referents of the request's organs."""
    from referents.selectors import referents_available

    availability = referents_available(categories=_case_categories(case), on=on)
    backups = [r.user for a in availability.values() for r in a.backups]
    return [*_active(Role.COORDINATOR), *backups]


def urgent_escalate_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Escalate, once, each urgent request nobody acknowledged in time. Returns the escalated case ids."""
    from cases.models import Case

    now = now or timezone.now()
    escalated: list[int] = []
    for pk in list(overdue_unacknowledged(now=now).values_list("pk", flat=True)[:100]):
        with transaction.atomic():
            # SKIP LOCKED: a case being acknowledged right now is left alone; the filter is re-checked locked.
            case = (
                overdue_unacknowledged(now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("requester_centre")
                .filter(pk=pk)
                .first()
            )
            if case is None:
                continue
            notify(
                kind=Kind.URGENT_ESCALATION,
                recipients=escalation_recipients(case=case, on=timezone.localdate(now)),
                key=f"case{case.pk}",
                case=case,
            )
            Case.objects.filter(pk=case.pk).update(urgent_escalated_at=now)
            escalated.append(case.pk)
    return escalated
