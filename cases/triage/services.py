"""The secretariat's triage actions on a request. Each is one transaction: status, message, notification.

Putting a request on a meeting is the meetings app's (meetings.agenda)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.messages import Kind, notify_case
from cases.models import Case, CaseMessage, CaseStatus
from cases.workflow import case_transition
from tigre.accounts.models import User


@transaction.atomic
def triage_accept(*, case: Case, by: User) -> Case:
    """Accept a submitted request: it waits for the next agenda build."""
    case_transition(case=case, to=CaseStatus.ACCEPTED, by=by)
    return case


@transaction.atomic
def triage_request_info(*, case: Case, by: User, body: str) -> CaseMessage:
    """Ask the requester for what is missing: a message on the case, the case waits for the answer."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Écrivez la question à poser au demandeur."))
    case_transition(case=case, to=CaseStatus.INFO_REQUESTED, by=by, reason=body)
    message = CaseMessage.objects.create(case=case, kind=CaseMessage.Kind.INFO_REQUEST, author=by, body=body)
    notify_case(
        kind=Kind.INFO_REQUESTED,
        case=case,
        recipients=[case.requester],
        key=f"case{case.pk}-msg{message.pk}",
        context={"message": body},
        actor=by,
    )
    return message


@transaction.atomic
def triage_decline(*, case: Case, by: User, reason: str) -> Case:
    """Decline a request (e.g. out of scope), with the reason the requester receives."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif du refus : il est transmis au demandeur."))
    case_transition(case=case, to=CaseStatus.DECLINED, by=by, reason=reason)
    notify_case(kind=Kind.DECLINED, case=case, recipients=[case.requester], context={"reason": reason}, actor=by)
    return case
