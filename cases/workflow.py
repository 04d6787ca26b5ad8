"""The life of a request (docs/domain.md#life-of-a-request): allowed transitions and the one function making them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tigre.accounts.models import User

from .models import Case, CaseStatus, StatusChange

S = CaseStatus

# from -> allowed targets. "Postponed to the next meeting" keeps the case SCHEDULED/ACCEPTED and is
# recorded on the agenda item; it is not a status of its own.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.INFO_REQUESTED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN, S.SCHEDULED}),
    S.INFO_REQUESTED: frozenset({S.SUBMITTED, S.DECLINED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.SCHEDULED, S.DECLINED, S.WITHDRAWN, S.INFO_REQUESTED}),
    S.SCHEDULED: frozenset({S.DISCUSSED, S.ACCEPTED, S.WITHDRAWN, S.SCHEDULED}),
    S.DISCUSSED: frozenset({S.AVIS_VALIDATED, S.SCHEDULED, S.ACCEPTED}),
    S.AVIS_VALIDATED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.DECLINED: frozenset(),
}

# Transitions that must carry a reason.
REASON_REQUIRED = {S.DECLINED, S.WITHDRAWN, S.INFO_REQUESTED}


class TransitionError(ValidationError):
    pass


def can_transition(case: Case, to: str) -> bool:
    return to in ALLOWED_TRANSITIONS.get(case.status, frozenset())


@transaction.atomic
def case_transition(*, case: Case, to: str, by: User, reason: str = "") -> StatusChange:
    """Move ``case`` to ``to``, recording who, when and why. Locks the row against concurrent moves."""
    locked = Case.objects.select_for_update().only("pk", "status").get(pk=case.pk)
    if not can_transition(locked, to):
        raise TransitionError(
            _("Action impossible : la demande est « %(current)s ».") % {"current": CaseStatus(locked.status).label}
        )
    if to in REASON_REQUIRED and not reason.strip():
        raise TransitionError(_("Un motif est obligatoire pour cette action."))
    change = StatusChange.objects.create(
        case=case, from_status=locked.status, to_status=to, by=by, reason=reason.strip()
    )
    fields = ["status", "updated_at"]
    case.status = to
    if to in (S.CLOSED, S.WITHDRAWN, S.DECLINED):
        case.closed_at = timezone.now()
        fields.append("closed_at")
    case.save(update_fields=fields)
    return change


@transaction.atomic
def case_transition_many(*, cases: list[Case], to: str, by: User, reason: str = "") -> list[StatusChange]:
    """The same rules as ``case_transition`` for a batch, in a constant number of queries (agenda builder).

    All or nothing: one case that may not move refuses the whole batch with the same French message.
    """
    if not cases:
        return []
    if to in REASON_REQUIRED and not reason.strip():
        raise TransitionError(_("Un motif est obligatoire pour cette action."))
    pks = [c.pk for c in cases]
    current = dict(Case.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", "status"))
    for pk in pks:
        status = current.get(pk)
        if status is None or to not in ALLOWED_TRANSITIONS.get(status, frozenset()):
            raise TransitionError(
                _("Action impossible : la demande est « %(current)s ».")
                % {"current": CaseStatus(status).label if status else "?"}
            )
    now = timezone.now()
    changes = StatusChange.objects.bulk_create(
        [StatusChange(case_id=pk, from_status=current[pk], to_status=to, by=by, reason=reason.strip()) for pk in pks]
    )
    fields: dict[str, Any] = {"status": to, "updated_at": now}
    if to in (S.CLOSED, S.WITHDRAWN, S.DECLINED):
        fields["closed_at"] = now
    Case.objects.filter(pk__in=pks).update(**fields)
    for case in cases:
        for name, value in fields.items():
            setattr(case, name, value)
    return changes
