"""Writes of the meeting session: attendance, avis, postponement, validation.

Every service is atomic, locks the meeting row (``meeting_lock``) and refuses any change once the meeting is
validated (or cancelled) with a French message: nothing is changed then.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Avis, Case, CaseStatus
from cases.pharmacovigilance.services import pv_from_avis
from cases.workflow import case_transition
from meetings.agenda.services import agenda_add_case
from meetings.documents.services import AFTER_VALIDATION_TASK
from meetings.lock import MeetingError, meeting_lock
from meetings.messages import Kind, case_at_meeting_message
from meetings.models import AgendaItem, Meeting, Participant
from meetings.scheduling import meeting_date_label
from meetings.selectors import next_meeting
from meetings.session.selectors import attendance_record, quorum_status
from tigre import formats as fr
from tigre.accounts.models import User
from tigre.accounts.roles import Role
from tigre.celery import publish
from tigre.notifications.services import notify_many


def require_started(meeting: Meeting) -> None:
    """Refuse a session write (attendance, avis, validation) before the meeting's start: the clock decides
    (docs/domain.md#meeting-integrity)."""
    if not meeting.has_started:
        raise MeetingError(
            _(
                "La réunion n'a pas encore commencé : la présence, les avis et la validation ne peuvent être "
                "enregistrés qu'à partir du %(start)s."
            )
            % {"start": fr.moment(meeting.starts_at, weekday=True)}
        )


def _mark_held(meeting: Meeting) -> None:
    """The meeting is being held once attendance or an avis is recorded (only possible from its start):
    a held meeting no longer takes new cases."""
    if meeting.status in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED):
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])


# --- Attendance ----------------------------------------------------------------------------------------------


@transaction.atomic
def attendance_set(*, meeting: Meeting, participant: Participant, present: bool | None, by: User) -> Participant:
    """Record a participant present (True), absent (False) or not yet recorded (None)."""
    locked = meeting_lock(meeting)
    require_started(locked)
    if participant.meeting_id != locked.pk:
        raise MeetingError(_("Ce participant n'appartient pas à cette réunion."))
    participant.present = present
    participant.save(update_fields=["present"])
    if present:
        _mark_held(locked)
    return participant


def _role_for(user: User, meeting: Meeting) -> str:
    if meeting.coordinators.filter(pk=user.pk).exists():
        return Participant.Role.COORDINATOR
    if user.has_role(Role.PHARMACOVIGILANCE):
        return Participant.Role.PHARMACOVIGILANCE
    if user.has_role(Role.REFERENT) or hasattr(user, "referent"):
        return Participant.Role.REFERENT
    if user.has_role(Role.COORDINATOR):
        return Participant.Role.COORDINATOR
    if meeting.items.filter(case__requester=user).exists():
        return Participant.Role.REQUESTER
    return Participant.Role.OTHER


@transaction.atomic
def participant_add(*, meeting: Meeting, user: User, by: User, role: str | None = None) -> Participant:
    """Add someone who was not invited to the attendance sheet, marked present."""
    locked = meeting_lock(meeting)
    require_started(locked)
    if not user.is_active:
        raise MeetingError(_("Ce compte est désactivé."))
    if role is not None and role not in Participant.Role.values:
        raise MeetingError(_("Rôle de participant inconnu."))
    participant, created = Participant.objects.get_or_create(
        meeting=locked,
        user=user,
        defaults={"role": role or _role_for(user, locked), "invited": False, "present": True},
    )
    if not created and participant.present is not True:
        participant.present = True
        participant.save(update_fields=["present"])
    _mark_held(locked)
    return participant


# --- Avis ----------------------------------------------------------------------------------------------------


def _item_locked(item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    meeting = meeting_lock(item.meeting_id)
    fresh = AgendaItem.objects.select_for_update().select_related("case").get(pk=item.pk)
    return meeting, fresh


@transaction.atomic
def avis_save(*, item: AgendaItem, by: User, data: dict[str, Any], contributors: Iterable[Any] = ()) -> Avis:
    """Write (or rewrite) the draft avis of an agenda item; the case becomes "discussed".

    Contributors must be present at the meeting. The avis stays a draft until the meeting is validated.
    When no referent of one of the case's organ categories is present, the avis needs an explicit, reasoned
    exception (``organ_exception_reason``), or the case is postponed. A case with an urgent opinion needs the
    board's ratification (ratified, or amended with the amended text).
    """
    meeting, item = _item_locked(item)
    require_started(meeting)
    if item.outcome == AgendaItem.Outcome.POSTPONED:
        raise MeetingError(_("Ce dossier a été reporté : aucun avis ne peut être rédigé à cette réunion."))
    unknown = set(data) - set(Avis.STRUCTURED_FIELDS)
    if unknown:
        raise MeetingError(_("Champs inconnus : %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if not str(data.get("answer") or "").strip():
        raise MeetingError(_("La réponse de la RCP à la question posée est obligatoire."))
    contributors = list(contributors)
    present_ids = set(Participant.objects.filter(meeting=meeting, present=True).values_list("user_id", flat=True))
    absent = [u for u in contributors if u.pk not in present_ids]
    if absent:
        raise MeetingError(
            _("Les contributeurs doivent être présents à la réunion : %(names)s.")
            % {"names": ", ".join(str(u) for u in absent)}
        )

    case: Case = item.case
    if case.status not in (CaseStatus.SCHEDULED, CaseStatus.DISCUSSED):
        raise MeetingError(
            _("La demande %(ref)s est « %(status)s » : elle ne peut pas recevoir d'avis.")
            % {"ref": case.reference or case.pk, "status": CaseStatus(case.status).label}
        )
    data = _tidy_avis_data(data, case=case, missing=_missing_categories(meeting, item))
    avis = Avis.objects.select_for_update().filter(pk=item.avis_id).first() if item.avis_id else None
    if avis is None:
        avis = Avis(case=case, meeting_at=meeting.starts_at, drafted_by=by)
        for name, value in data.items():
            setattr(avis, name, value)
        avis.save()
        item.avis = avis
        item.save(update_fields=["avis"])
    else:
        for name, value in data.items():
            setattr(avis, name, value)
        avis.save(update_fields=[*data.keys(), "updated_at"])
    avis.contributors.set(contributors)

    if case.status == CaseStatus.SCHEDULED:
        case_transition(case=case, to=CaseStatus.DISCUSSED, by=by, reason=_("Avis rédigé en RCP."))
    if item.outcome != AgendaItem.Outcome.DISCUSSED:
        item.outcome = AgendaItem.Outcome.DISCUSSED
        item.save(update_fields=["outcome"])
    _mark_held(meeting)
    return avis


def _missing_categories(meeting: Meeting, item: AgendaItem) -> list[str]:
    """The labels of the case's organ categories without a present referent (titular or backup)."""
    quorum = quorum_status(meeting=meeting, items=[item])
    cover = quorum.items.get(item.pk)
    return [c.label for c in cover.missing] if cover else []


def _tidy_avis_data(data: dict[str, Any], *, case: Case, missing: list[str]) -> dict[str, Any]:
    """Check the rules between the avis's fields and the session; drop what does not apply."""
    data = dict(data)
    reason = str(data.get("organ_exception_reason") or "").strip()
    if missing and not reason:
        raise MeetingError(
            _(
                "Aucun référent présent pour : %(organs)s. Reportez le dossier, ou indiquez pourquoi l'avis est "
                "rendu sans référent de l'organe."
            )
            % {"organs": ", ".join(missing)}
        )
    if "organ_exception_reason" in data or missing:
        data["organ_exception_reason"] = reason if missing else ""
    if case.urgent_opinion_at is not None:
        ratification = data.get("urgent_ratification") or ""
        if ratification not in Avis.UrgentRatification.values:
            raise MeetingError(_("Indiquez si la RCP ratifie ou amende l'avis urgent."))
        amendment = str(data.get("urgent_amendment") or "").strip()
        if ratification == Avis.UrgentRatification.AMENDED and not amendment:
            raise MeetingError(_("Rédigez l'avis urgent amendé par la RCP."))
        data["urgent_amendment"] = amendment if ratification == Avis.UrgentRatification.AMENDED else ""
    elif "urgent_ratification" in data or "urgent_amendment" in data:
        data["urgent_ratification"], data["urgent_amendment"] = "", ""
    return data


# --- Postponement --------------------------------------------------------------------------------------------


@transaction.atomic
def item_postpone(*, item: AgendaItem, reason: str, by: User) -> AgendaItem:
    """Postpone a case to the next meeting: the item is marked postponed, the case goes on the next agenda,
    the requester is told. A draft avis written for this meeting is dropped. Returns the new agenda item."""
    meeting, item = _item_locked(item)
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Indiquez le motif du report."))
    if item.outcome == AgendaItem.Outcome.POSTPONED:
        raise MeetingError(_("Ce dossier est déjà reporté."))
    target = next_meeting(after=meeting.starts_at)
    if target is None:
        raise MeetingError(_("Aucune réunion suivante n'est planifiée : créez-la avant de reporter ce dossier."))

    case: Case = item.case
    draft = Avis.objects.filter(pk=item.avis_id, state=Avis.State.DRAFT).first() if item.avis_id else None
    # Back to "accepted" (not on any agenda) so that the agenda puts it on the next meeting as "scheduled".
    if case.status in (CaseStatus.SCHEDULED, CaseStatus.DISCUSSED):
        case_transition(
            case=case,
            to=CaseStatus.ACCEPTED,
            by=by,
            reason=_("Reportée de la RCP du %(date)s : %(reason)s")
            % {"date": meeting_date_label(meeting), "reason": reason},
        )
    item.outcome = AgendaItem.Outcome.POSTPONED
    item.postponed_reason = reason[:200]
    fields = ["outcome", "postponed_reason"]
    if draft is not None:
        item.avis = None
        fields.append("avis")
    item.save(update_fields=fields)
    if draft is not None:
        draft.delete()

    new_item = agenda_add_case(meeting=target, case=case, by=by, kind=item.kind)
    notify_many(
        kind=Kind.POSTPONED,
        actor=by,
        messages=[
            case_at_meeting_message(
                kind=Kind.POSTPONED,
                case=case,
                meeting=target,
                key=f"item{item.pk}",
                context={
                    "reason": reason,
                    "from_meeting": meeting_date_label(meeting),
                    "to_meeting": meeting_date_label(target),
                },
            )
        ],
    )
    return new_item


# --- Validation ----------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_validate(*, meeting: Meeting, by: User) -> Meeting:
    """Validate and lock the meeting (coordinators only).

    Refused while an item is neither discussed with an avis nor postponed, or without the quorum of
    physicians. Then: every avis validated, cases "avis validated", pharmacovigilance follow-ups opened,
    requesters notified.
    """
    if not (by.is_superuser or by.has_role(Role.COORDINATOR)):
        raise PermissionDenied(_("Seuls les coordinateurs peuvent valider la réunion."))
    locked = meeting_lock(meeting)
    require_started(locked)
    items = list(
        AgendaItem.objects.filter(meeting=locked).select_related("case", "case__requester").order_by("position", "pk")
    )
    avis_by_case = {
        a.case_id: a
        for a in Avis.objects.filter(agenda_item__meeting=locked).select_related("case__requester", "case__patient")
    }
    pending = [
        i
        for i in items
        if i.outcome != AgendaItem.Outcome.POSTPONED
        and not (i.outcome == AgendaItem.Outcome.DISCUSSED and i.case_id in avis_by_case)
    ]
    if pending:
        raise MeetingError(
            _("Validation impossible : ces dossiers n'ont ni avis ni report : %(refs)s.")
            % {"refs": ", ".join(str(i.case.reference or i.case.pk) for i in pending)}
        )
    quorum = quorum_status(meeting=locked)
    if not quorum.ok:
        raise MeetingError(
            _(
                "Validation impossible : le quorum n'est pas atteint (%(n)s spécialité(s) présente(s) sur "
                "%(min)s requises)."
            )
            % {"n": len(quorum.specialties), "min": quorum.minimum}
        )
    uncovered = [
        i
        for i in items
        if i.outcome == AgendaItem.Outcome.DISCUSSED
        and quorum.items.get(i.pk) is not None
        and quorum.items[i.pk].missing
        and not avis_by_case[i.case_id].organ_exception_reason
    ]
    if uncovered:
        raise MeetingError(
            _(
                "Validation impossible : aucun référent de l'organe n'était présent pour %(refs)s. Reportez ces "
                "dossiers ou indiquez dans leur avis pourquoi il est rendu sans référent de l'organe."
            )
            % {"refs": ", ".join(str(i.case.reference or i.case.pk) for i in uncovered)}
        )

    now = timezone.now()
    locked.status = Meeting.Status.VALIDATED
    locked.validated_at = now
    locked.validated_by = by
    locked.version += 1
    # What the fiches and the minutes print: attendance and quorum as they stand now, never re-derived.
    locked.attendance_record = attendance_record(meeting=locked, quorum=quorum)
    locked.save(update_fields=["status", "validated_at", "validated_by", "version", "attendance_record"])

    discussed = [i for i in items if i.outcome == AgendaItem.Outcome.DISCUSSED]
    for item in discussed:
        avis = avis_by_case[item.case_id]
        avis.state = Avis.State.VALIDATED
        avis.validated_by = by
        avis.validated_at = now
        avis.save(update_fields=["state", "validated_by", "validated_at", "updated_at"])
        case = avis.case
        if case.status == CaseStatus.DISCUSSED:
            case_transition(case=case, to=CaseStatus.AVIS_VALIDATED, by=by, reason=_("Avis validé en RCP."))
        pv_from_avis(avis=avis, by=by)
        notify_many(
            kind=Kind.AVIS_AVAILABLE,
            actor=by,
            messages=[
                case_at_meeting_message(kind=Kind.AVIS_AVAILABLE, case=case, meeting=locked, key=f"avis{avis.pk}")
            ],
        )
    # The minutes and final fiches are made by the worker once this is committed (a task takes the id).
    meeting_id = locked.pk
    # Unpublished (broker down): each document is then made when first asked for (document pages).
    transaction.on_commit(lambda: publish(AFTER_VALIDATION_TASK, meeting_id))
    return locked
