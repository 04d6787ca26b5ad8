"""Reads for the meeting documents: who may download what, and the plain data each document is made from.

Each ``*_document_data`` function returns plain values (str, int, bool, dates, lists, dicts), read in a fixed
number of queries. The same dict feeds the template and the fingerprint, so a stored PDF is regenerated
exactly when something it shows has changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Avis, Case, ImmunotherapyLine, Toxicity
from cases.selectors import cases_visible_to, get_case_for_user
from meetings.models import AgendaItem, AgendaItemReferent, Meeting, Participant
from meetings.selectors import meeting_or_404
from meetings.session.selectors import attendance_record
from tigre.accounts.models import User
from tigre.accounts.roles import Role

from .models import GeneratedDocument

# A fiche is read by the requester; drafts ("projet") only by the board's staff.
BOARD_ROLES = (Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE, Role.REFERENT)
AGENDA_ROLES = (Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE)
MINUTES_ROLES = (Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE)

TEMPLATES = {
    GeneratedDocument.Kind.AGENDA: ("pdf/agenda.html", "pdf/agenda.css"),
    GeneratedDocument.Kind.FICHE: ("pdf/fiche.html", "pdf/fiche.css"),
    GeneratedDocument.Kind.MINUTES: ("pdf/minutes.html", "pdf/minutes.css"),
}


# --- Access ---------------------------------------------------------------------------------------------------


def _is_invited(user: User, meeting: Meeting) -> bool:
    return Participant.objects.filter(meeting=meeting, user=user, invited=True).exists()


def can_download_agenda(user: User, meeting: Meeting) -> bool:
    """Secretariat, coordinators, CRPV, and the referents invited to that meeting."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_role(*AGENDA_ROLES):
        return True
    return user.has_role(Role.REFERENT) and _is_invited(user, meeting)


def can_download_minutes(user: User, meeting: Meeting) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*MINUTES_ROLES))


def can_see_draft_fiche(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*BOARD_ROLES))


def meeting_for_agenda(user: User, pk: int | str) -> Meeting:
    meeting = meeting_or_404(pk)
    if not can_download_agenda(user, meeting):
        raise PermissionDenied
    return meeting


def meeting_for_minutes(user: User, pk: int | str) -> Meeting:
    """A validated meeting whose minutes the user may read (404 before validation)."""
    meeting = meeting_or_404(pk)
    if not can_download_minutes(user, meeting):
        raise PermissionDenied
    if meeting.status != Meeting.Status.VALIDATED:
        raise Http404
    return meeting


def avis_for_user(user: User, pk: int | str) -> Avis:
    """The avis of a fiche, if its case is in the user's scope (404 otherwise, as for the case itself).

    A draft avis is the board's working copy: the requester sees the fiche once it is validated.
    """
    try:
        avis = Avis.objects.select_related("agenda_item__meeting").get(pk=pk)
    except (Avis.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    get_case_for_user(user, avis.case_id)
    if avis.state != Avis.State.VALIDATED and not can_see_draft_fiche(user):
        raise Http404
    return avis


def fiches_for_case(user: User, case: Case) -> QuerySet[Avis]:
    """The avis of a case the user may print (the case is already checked to be in scope)."""
    qs = Avis.objects.filter(case=case).order_by("-meeting_at")
    if not can_see_draft_fiche(user):
        qs = qs.filter(state=Avis.State.VALIDATED)
    return qs


def fiches_for_meeting(user: User, meeting: Meeting) -> list[dict[str, Any]]:
    """The fiches RCP of a validated meeting the user may open (their cases in scope), in agenda order, as plain
    values for the documents panel (one query). Before validation: none."""
    if meeting.status != Meeting.Status.VALIDATED:
        return []
    qs = (
        Avis.objects.filter(agenda_item__meeting=meeting, case__in=cases_visible_to(user).values("pk"))
        .select_related("case__patient", "agenda_item")
        .order_by("agenda_item__position", "pk")
    )
    if not can_see_draft_fiche(user):
        qs = qs.filter(state=Avis.State.VALIDATED)
    return [
        {"pk": avis.pk, "reference": avis.case.reference or "—", "pseudonym": avis.case.patient.pseudonym}
        for avis in qs
    ]


def case_for_panel(user: User, pk: Any) -> Case:
    try:
        return cases_visible_to(user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def meeting_case_pairs(meeting: Meeting) -> list[tuple[int, int]]:
    """(case id, patient id) of every request on the meeting's agenda: what its agenda and minutes contain, each
    written to the access trail when they are downloaded."""
    return list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("case_id", "case__patient_id")
    )


# --- Shared pieces ---------------------------------------------------------------------------------------------


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def _person(user: User | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {
        "name": user.display_name,
        "specialty": user.get_specialty_display() if user.specialty else "",
        "centre": user.centre.name if user.centre else "",
        "email": user.email,
        "phone": user.phone,
    }


def _meeting_head(meeting: Meeting) -> dict[str, Any]:
    starts = _local(meeting.starts_at)
    ends = _local(meeting.ends_at)
    coordinators = sorted(meeting.coordinators.all(), key=lambda u: (u.last_name, u.first_name))
    return {
        "pk": meeting.pk,
        "starts_at": starts,
        "ends_at": ends,
        "video_url": meeting.video_url,
        "status": meeting.get_status_display(),
        "is_validated": meeting.status == Meeting.Status.VALIDATED,
        "holiday_name": meeting.holiday_name,
        "coordinators": [_person(u) for u in coordinators],
        "validated_at": _local(meeting.validated_at),
        "validated_by": _person(meeting.validated_by),
        "published_at": _local(meeting.published_at),
    }


def _cancer(case: Case) -> str:
    site = case.primary_site_label or case.primary_site
    return ", ".join(part for part in (site, case.histology, f"stade {case.stage}" if case.stage else "") if part)


def _drugs(case: Case) -> list[str]:
    names: list[str] = []
    for line in case.lines.all():
        for drug in line.drugs.all():
            if drug.name not in names:
                names.append(drug.name)
    return names


def _toxicities(case: Case, *, detailed: bool = False) -> list[dict[str, Any]]:
    rows = []
    for tox in case.toxicities.all():
        row: dict[str, Any] = {
            "label": tox.event.label,
            "category": tox.event.category.label,
            "grade": tox.grade,
            "ctcae": tox.get_ctcae_version_display(),
            "fatal": tox.is_fatal,
            "onset_date": tox.onset_date,
        }
        if detailed:
            row.update(
                pre_existing=tox.pre_existing,
                description=tox.description,
                management_hold=tox.management_hold,
                steroids_mg_per_kg=tox.steroids_mg_per_kg,
                other_immunosuppressants=tox.other_immunosuppressants,
                management_notes=tox.management_notes,
            )
        rows.append(row)
    return rows


def _case_prefetches(prefix: str) -> list[Any]:
    return [
        Prefetch(
            f"{prefix}toxicities",
            queryset=Toxicity.objects.select_related("event__category").order_by("-grade", "position", "pk"),
        ),
        Prefetch(
            f"{prefix}lines",
            queryset=ImmunotherapyLine.objects.prefetch_related("drugs").order_by("position", "start_date", "pk"),
        ),
    ]


def _participants(meeting: Meeting) -> list[Participant]:
    return list(
        Participant.objects.filter(meeting=meeting)
        .select_related("user", "user__centre")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _attendance(meeting: Meeting) -> list[dict[str, Any]]:
    """Who was invited and who was present, as plain values: once the meeting is validated, the sheet recorded
    then (``Meeting.attendance_record``), never re-derived (docs/domain.md#meeting-integrity)."""
    if meeting.attendance_record:
        return list(meeting.attendance_record["participants"])
    return [
        {
            **_person(p.user),
            "role": str(p.get_role_display()),
            "invited": p.invited,
            "present": p.present,
        }
        for p in _participants(meeting)
    ]


def _record(meeting: Meeting) -> dict[str, Any]:
    """Attendance, quorum and organ cover: as recorded at validation, or as they stand (a draft, or a meeting
    validated before the record existed)."""
    return meeting.attendance_record or attendance_record(meeting=meeting)


def _by_specialty(people: list[dict[str, Any]], *, present_only: bool = False) -> list[dict[str, Any]]:
    """Participants grouped by specialty (people without one under their role), groups alphabetical."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in people:
        if present_only and not p["present"]:
            continue
        groups.setdefault(p["specialty"] or p["role"], []).append(p)
    return [{"specialty": label, "people": groups[label]} for label in sorted(groups)]


def _urgent(item: AgendaItem) -> bool:
    return item.case.is_urgent or item.kind in (AgendaItem.Kind.URGENT, AgendaItem.Kind.URGENT_RATIFICATION)


# --- Agenda -----------------------------------------------------------------------------------------------------


def agenda_document_data(meeting: Meeting) -> dict[str, Any]:
    """The agenda: pseudonymised cases only (no name, no birth date, no INS), then the invitation list."""
    meeting = Meeting.objects.select_related("validated_by").prefetch_related("coordinators").get(pk=meeting.pk)
    items = (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("case__patient", "case__requester", "case__requester_centre", "case__urgent_opinion_by__centre")
        .prefetch_related(
            *_case_prefetches("case__"),
            Prefetch(
                "needed_referents",
                queryset=AgendaItemReferent.objects.select_related("referent__user", "category").order_by(
                    "category__position", "category__label", "pk"
                ),
            ),
        )
        .order_by("position", "pk")
    )
    day = timezone.localdate(meeting.starts_at)
    rows = []
    for number, item in enumerate(items, start=1):
        case = item.case
        patient = case.patient
        rows.append(
            {
                "number": number,
                "slot": _local(item.slot_start),
                "duration": item.duration_minutes,
                "kind": item.get_kind_display(),
                "is_ratification": item.kind == AgendaItem.Kind.URGENT_RATIFICATION,
                "urgent": _urgent(item),
                "urgency_reason": case.urgency_reason if case.is_urgent else "",
                "urgent_opinion": _urgent_opinion(case),
                "postponed": item.outcome == AgendaItem.Outcome.POSTPONED,
                "reference": case.reference or "",
                "pseudonym": patient.pseudonym,
                "age": patient.age_on(day),
                "sex": patient.get_sex_display(),
                "cancer": _cancer(case),
                "drugs": _drugs(case),
                "toxicities": _toxicities(case),
                "highest_grade": case.highest_grade,
                "reason": case.get_reason_display() if case.reason else "",
                "question": case.question,
                "requester": {"name": case.requester.display_name, "centre": str(case.requester_centre or "")},
                "referents": [
                    {
                        "name": link.referent.user.display_name,
                        "category": link.category.label,
                        "specialty": link.referent.get_specialty_display(),
                    }
                    for link in item.needed_referents.all()
                ],
            }
        )
    participants = [p for p in _attendance(meeting) if p["invited"]]
    return {
        "kind": GeneratedDocument.Kind.AGENDA.value,
        "meeting": _meeting_head(meeting),
        "items": rows,
        "urgent_count": sum(1 for r in rows if r["urgent"]),
        "invitations": _by_specialty(participants),
        "invited_count": len(participants),
    }


# --- Fiche RCP ---------------------------------------------------------------------------------------------------


def fiche_document_data(avis: Avis, *, identified: bool = True) -> dict[str, Any]:
    """The signed recommendation: the case, the answer, and the patient's full identity (it goes into the
    patient's record) when ``identified``; otherwise the pseudonym, sex and age only (``_fiche_pseudonymised``)."""
    avis = (
        Avis.objects.select_related(
            "case__patient",
            "case__patient__treating_centre",
            "case__requester__centre",
            "case__requester_centre",
            "agenda_item__meeting__validated_by",
            "case__urgent_opinion_by__centre",
            "validated_by",
            "drafted_by",
        )
        .prefetch_related(
            *_case_prefetches("case__"), "case__co_requesters", "contributors", "agenda_item__meeting__coordinators"
        )
        .get(pk=avis.pk)
    )
    case = avis.case
    patient = case.patient
    meeting = avis.agenda_item.meeting
    day = timezone.localdate(meeting.starts_at)
    lines = [
        {
            "drugs": [d.name for d in line.drugs.all()],
            "regimen": line.get_regimen_display(),
            "setting": line.get_setting_display(),
            "start_date": line.start_date,
            "last_dose_date": line.last_dose_date,
            "cycles": line.cycles,
            "status": line.get_status_display(),
            "dose": line.dose,
        }
        for line in case.lines.all()
    ]
    record = _record(meeting)
    present = [p for p in record["participants"] if p["present"]]
    validated = avis.state == Avis.State.VALIDATED
    item = avis.agenda_item
    requester = {**_person(case.requester), "centre": str(case.requester_centre or case.requester.centre or "")}
    data: dict[str, Any] = {
        "kind": GeneratedDocument.Kind.FICHE.value,
        "avis_pk": avis.pk,
        "validated": validated,
        "meeting": _meeting_head(meeting),
        "reference": case.reference or "",
        "urgent": case.is_urgent,
        "patient": {
            "birth_name": patient.birth_name.upper(),
            "used_name": patient.used_name.upper(),
            "first_names": patient.first_names,
            "sex": patient.get_sex_display(),
            "birth_date": patient.birth_date,
            "age": patient.age_on(day),
            "ins": patient.ins,
            "ins_status": patient.get_ins_status_display(),
            "treating_centre": str(patient.treating_centre or ""),
            "weight_kg": str(patient.weight_kg) if patient.weight_kg is not None else "",
            "height_cm": patient.height_cm,
        },
        "requester": requester,
        # The physician in charge of the patient, who takes the decision (CI-SIS FRCP "médecin responsable").
        "responsible_physician": requester,
        # Who receives the fiche: the requester and the patient's GP (docs/domain.md#fiche-rcp).
        "recipients": {
            "requester": requester["name"],
            "gp_name": patient.gp_name,
            "gp_mssante": patient.gp_mssante,
        },
        "secretariat": dict(settings.TIGRE_SECRETARIAT),
        "discussion_type": str(
            _("Ratification en RCP d'un avis urgent rendu hors réunion")
            if item.kind == AgendaItem.Kind.URGENT_RATIFICATION
            else _("Dossier présenté et discuté en réunion")
        ),
        "patient_informed": {"answer": case.patient_informed, "on": case.patient_informed_on},
        "urgent_opinion": _urgent_opinion(case),
        "co_requesters": [_person(u) for u in sorted(case.co_requesters.all(), key=lambda u: u.last_name)],
        "submitted_at": _local(case.submitted_at),
        "reason": case.get_reason_display() if case.reason else "",
        "reason_detail": case.reason_detail,
        "question": case.question,
        "cancer": {
            "summary": _cancer(case),
            "diagnosis_date": case.diagnosis_date,
            "performance_status": case.performance_status,
        },
        "history": case.history,
        "autoimmune_history": case.autoimmune_history,
        "comorbidities": case.comorbidities,
        "key_results": case.key_results,
        "lines": lines,
        "toxicities": _toxicities(case, detailed=True),
        "avis": {
            **_avis_body(avis),
            "ici_decision_code": avis.ici_decision,
            "contributors": [_person(u) for u in sorted(avis.contributors.all(), key=lambda u: u.last_name)],
            "drafted_by": _person(avis.drafted_by),
            "validated_by": _person(avis.validated_by),
            "validated_at": _local(avis.validated_at),
        },
        "organ_cover": record["items"].get(str(item.pk), {"covered": [], "missing": []}),
        "quorum": record["quorum"],
        "participants": _by_specialty(present, present_only=True),
        "present_count": len(present),
    }
    return data if identified else _fiche_pseudonymised(data, patient)


def _fiche_pseudonymised(data: dict[str, Any], patient: Any) -> dict[str, Any]:
    """The fiche for a reader who sees no identity (cases.privacy.policy, docs/privacy.md#what-each-role-sees):
    names, date of birth and INS are replaced by the pseudonym; sex, age, centre and measures stay."""
    shown = {"sex", "age", "treating_centre", "weight_kg", "height_cm"}
    return {
        **data,
        "pseudonymised": True,
        "patient": {
            **{key: value for key, value in data["patient"].items() if key in shown},
            "pseudonym": patient.pseudonym,
        },
    }


# --- Minutes ------------------------------------------------------------------------------------------------------


def minutes_document_data(meeting: Meeting) -> dict[str, Any]:
    """Minutes of a validated meeting: attendance, quorum, every item with its avis or its postponement."""
    meeting = Meeting.objects.select_related("validated_by").prefetch_related("coordinators").get(pk=meeting.pk)
    # The attendance, quorum and organ cover recorded at validation (live for a meeting validated before they were).
    record = meeting.attendance_record or attendance_record(meeting=meeting)
    participants = record["participants"]
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("case__patient", "case__requester", "case__requester_centre", "case__urgent_opinion_by__centre")
        .prefetch_related(
            *_case_prefetches("case__"),
            Prefetch(
                "case__avis_set",
                queryset=Avis.objects.filter(agenda_item__meeting=meeting).prefetch_related("contributors"),
                to_attr="meeting_avis",
            ),
        )
        .order_by("position", "pk")
    )
    day = timezone.localdate(meeting.starts_at)
    rows: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=1):
        case = item.case
        meeting_avis = getattr(case, "meeting_avis", [])  # prefetched (to_attr)
        avis = meeting_avis[0] if meeting_avis else None
        cover = record["items"].get(str(item.pk), {})
        rows.append(
            {
                "number": number,
                "reference": case.reference or "",
                "pseudonym": case.patient.pseudonym,
                "age": case.patient.age_on(day),
                "sex": case.patient.get_sex_display(),
                "urgent": _urgent(item),
                "cancer": _cancer(case),
                "drugs": _drugs(case),
                "toxicities": _toxicities(case),
                "question": case.question,
                "requester": case.requester.display_name,
                "postponed": item.outcome == AgendaItem.Outcome.POSTPONED,
                "postponed_reason": item.postponed_reason,
                "urgent_opinion": _urgent_opinion(case),
                "missing_categories": cover.get("missing", []),
                "avis": None
                if avis is None
                else {
                    **_avis_body(avis),
                    "state": avis.get_state_display(),
                    "contributors": [
                        u.display_name for u in sorted(avis.contributors.all(), key=lambda u: u.last_name)
                    ],
                },
            }
        )
    present = [p for p in participants if p["present"]]
    return {
        "kind": GeneratedDocument.Kind.MINUTES.value,
        "meeting": _meeting_head(meeting),
        "attendance": _by_specialty(participants),
        "present_count": len(present),
        "absent_count": sum(1 for p in participants if p["invited"] and p["present"] is False),
        "quorum": record["quorum"],
        "items": rows,
        "discussed_count": sum(1 for r in rows if r["avis"] and not r["postponed"]),
        "postponed_count": sum(1 for r in rows if r["postponed"]),
        "pv_count": sum(1 for r in rows if r["avis"] and r["avis"]["declare_pv"]),
    }


def document_data(*, kind: str, meeting: Meeting, case: Case | None = None) -> dict[str, Any]:
    if kind == GeneratedDocument.Kind.AGENDA:
        return agenda_document_data(meeting)
    if kind == GeneratedDocument.Kind.MINUTES:
        return minutes_document_data(meeting)
    if kind == GeneratedDocument.Kind.FICHE and case is not None:
        return fiche_document_data(Avis.objects.get(case=case, agenda_item__meeting=meeting))
    raise ValueError(f"Unknown document kind {kind!r}")


# --- Fingerprint ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def layout_digest() -> str:
    """Digest of the print templates and stylesheets: a layout change also makes stored PDFs stale."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder, pattern in ((base / "templates" / "pdf", "**/*.html"), (base / "static" / "pdf", "*.css")):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.relative_to(base).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _avis_body(avis: Avis) -> dict[str, Any]:
    """The avis as both the fiche and the minutes print it: each structured field, a choice by its label (and its
    code as ``<name>_code``)."""
    body: dict[str, Any] = {}
    for name in Avis.STRUCTURED_FIELDS:
        label = getattr(avis, f"get_{name}_display", None)  # Django's label getter of a field with choices
        body[name] = label() if label is not None else getattr(avis, name)
        if label is not None:
            body[f"{name}_code"] = getattr(avis, name)
    return body


def _urgent_opinion(case: Case) -> dict[str, Any] | None:
    """The urgent opinion given on the TAG track (who, when, what), printed before the board's ratification."""
    if case.urgent_opinion_at is None:
        return None
    return {
        "text": case.urgent_opinion,
        "at": _local(case.urgent_opinion_at),
        "by": _person(case.urgent_opinion_by),
    }


def fingerprint(data: dict[str, Any]) -> str:
    payload = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{layout_digest()}\n{payload}".encode()).hexdigest()
