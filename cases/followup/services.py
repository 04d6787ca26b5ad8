"""Writes of follow-ups: asking at the réévaluation date, storing the answer
(docs/domain.md#follow-up-at-the-reevaluation-date)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tigre import formats
from tigre.accounts.models import User

from ..messages import Kind, notify_case
from ..services import user_is_requester
from .models import Applied, FollowUp, Outcome
from .selectors import avis_due


def follow_ups_send_due(*, today: dt.date | None = None) -> list[FollowUp]:
    """Ask the requester (and co-requesters) of each avis whose réévaluation date has come what happened. Once per
    avis: the follow-up row is unique per avis and written with its outbox message, in one transaction each."""
    today = today or timezone.localdate()
    sent = []
    for avis in avis_due(today=today):
        assert avis.follow_up_date is not None  # avis_due filters on it
        try:
            with transaction.atomic():
                follow_up = FollowUp.objects.create(avis=avis, case=avis.case, due_date=avis.follow_up_date)
                case = avis.case
                notify_case(
                    kind=Kind.FOLLOW_UP,
                    case=case,
                    recipients=[case.requester, *case.co_requesters.all()],
                    key=f"avis{avis.pk}",
                    link=reverse("cases:follow_up_answer", args=[follow_up.pk]),
                    context={
                        "meeting_day": formats.day(avis.meeting_at),
                        "due_day": formats.day(avis.follow_up_date),
                        "decision": avis.get_ici_decision_display() if avis.ici_decision else "",
                    },
                )
        except IntegrityError:  # another run asked meanwhile (the unique avis): nothing more to do
            continue
        sent.append(follow_up)
    return sent


@transaction.atomic
def follow_up_answer(*, follow_up: FollowUp, by: User, applied: str, outcome: str, comment: str = "") -> FollowUp:
    """Store (or correct) the requester's answer. Only the requester or a co-requester answers."""
    locked = FollowUp.objects.select_for_update().select_related("case").get(pk=follow_up.pk)
    if not user_is_requester(locked.case, by):
        raise ValidationError(_("Seul le demandeur (ou un co-demandeur) répond au suivi de cet avis."))
    if applied not in Applied.values or outcome not in Outcome.values:
        raise ValidationError(_("Indiquez si l'avis a été appliqué et l'évolution du patient."))
    locked.applied, locked.outcome, locked.comment = applied, outcome, comment.strip()
    locked.answered_by, locked.answered_at = by, timezone.now()
    locked.save(update_fields=["applied", "outcome", "comment", "answered_by", "answered_at"])
    return locked
