"""Writes of the pharmacovigilance follow-up (docs/domain.md#pharmacovigilance).

Statuses change only here, only by the CRPV or a coordinator (superusers included), and each change is
recorded (PvStatusChange: from, to, who, when, why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.messages import Kind as MessageKind
from cases.messages import in_french
from cases.models import Avis, Toxicity
from tigre.accounts.models import User
from tigre.accounts.roles import Role
from tigre.notifications.models import Notification
from tigre.notifications.services import notify

from .models import Outcome, PvCaseDetails, PvDeclaration, PvDrugDetail, PvFollowUp, PvStatus, PvStatusChange
from .selectors import overdue_to_declare

# Which status may follow which. A declared reaction may be reopened ("to declare") to correct a wrong
# entry, with a note; the history keeps the first declaration.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    PvStatus.TO_ASSESS: frozenset({PvStatus.TO_DECLARE, PvStatus.DECLARED, PvStatus.NOT_TO_DECLARE}),
    PvStatus.TO_DECLARE: frozenset({PvStatus.TO_ASSESS, PvStatus.DECLARED, PvStatus.NOT_TO_DECLARE}),
    PvStatus.NOT_TO_DECLARE: frozenset({PvStatus.TO_ASSESS, PvStatus.TO_DECLARE, PvStatus.DECLARED}),
    PvStatus.DECLARED: frozenset({PvStatus.TO_DECLARE}),
}
PV_ROLES = (Role.PHARMACOVIGILANCE, Role.COORDINATOR)


class PvTransitionError(Exception):
    """A refused change of status; the message is French, for the user."""


# The declaration fields the CRPV completes in the app (the form shows these; "serious" is derived there).
DECLARATION_FIELDS = (
    "results_in_death",
    "life_threatening",
    "hospitalisation",
    "disabling",
    "congenital_anomaly",
    "other_medically_important",
    "outcome",
    "dechallenge",
    "rechallenge",
    "meddra_code",
    "meddra_version",
)


def can_manage_pv(user: User) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.has_role(*PV_ROLES)))


def _check_manager(by: User) -> None:
    if not can_manage_pv(by):
        raise PermissionDenied(_("Seuls le CRPV et les coordinateurs modifient le statut de pharmacovigilance."))


def _record(*, follow_up: PvFollowUp, from_status: str, by: User, note: str = "") -> None:
    PvStatusChange.objects.create(
        follow_up=follow_up, from_status=from_status, to_status=follow_up.status, by=by, note=note[:300]
    )


def _ensure_follow_ups(*, toxicities: Iterable[Toxicity], by: User) -> list[PvFollowUp]:
    """One follow-up per toxicity (created "to assess", recorded), existing rows locked and kept."""
    toxicities = list(toxicities)
    existing = {
        f.toxicity_id: f for f in PvFollowUp.objects.select_for_update().filter(toxicity__in=[t.pk for t in toxicities])
    }
    rows = []
    for toxicity in toxicities:
        follow_up = existing.get(toxicity.pk)
        if follow_up is None:
            follow_up = PvFollowUp.objects.create(toxicity=toxicity, status=PvStatus.TO_ASSESS)
            _record(follow_up=follow_up, from_status="", by=by, note=_("Suivi ouvert"))
            if toxicity.is_fatal:
                # CTCAE grade 5 is death: serious, criterion "décès", fatal outcome (docs/domain.md#ctcae-grades).
                PvDeclaration.objects.get_or_create(
                    follow_up=follow_up,
                    defaults={"serious": True, "results_in_death": True, "outcome": Outcome.FATAL, "updated_by": by},
                )
        rows.append(follow_up)
    return rows


@transaction.atomic
def pv_from_avis(*, avis: Avis, by: User) -> list[PvFollowUp]:
    """Give every toxicity of a discussed case a follow-up; the avis's "declare" flag sets "to declare".

    Idempotent (validating twice changes nothing). A decision the CRPV already took (declared, not to
    declare) is never overridden by the flag.
    """
    toxicities = avis.case.toxicities.all()
    rows = _ensure_follow_ups(toxicities=toxicities, by=by)
    if avis.declare_pv:
        now = timezone.now()
        for follow_up in rows:
            if follow_up.status == PvStatus.TO_ASSESS:
                follow_up.status = PvStatus.TO_DECLARE
                follow_up.status_changed_at = now
                follow_up.save(update_fields=["status", "status_changed_at", "updated_at"])
                _record(follow_up=follow_up, from_status=PvStatus.TO_ASSESS, by=by, note=_("Avis RCP : à déclarer"))
    return rows


def _validate_target(
    *, follow_up: PvFollowUp, to: str, declared_on: date | None, crpv_reference: str, reason: str
) -> None:
    if to not in PvStatus.values:
        raise PvTransitionError(_("Statut de pharmacovigilance inconnu."))
    if follow_up.status == to:
        raise PvTransitionError(_("Cet effet est déjà au statut « %(status)s ».") % {"status": PvStatus(to).label})
    if to not in ALLOWED_TRANSITIONS[follow_up.status]:
        raise PvTransitionError(
            _("Passage de « %(from)s » à « %(to)s » impossible.")
            % {"from": PvStatus(follow_up.status).label, "to": PvStatus(to).label}
        )
    if to == PvStatus.DECLARED:
        if declared_on is None:
            raise PvTransitionError(_("Indiquez la date de la déclaration."))
        if declared_on > timezone.localdate():
            raise PvTransitionError(_("La date de déclaration ne peut pas être dans le futur."))
        if not crpv_reference.strip():
            raise PvTransitionError(_("Indiquez la référence CRPV de la déclaration."))
    if to == PvStatus.NOT_TO_DECLARE and not reason.strip():
        raise PvTransitionError(_("Indiquez pourquoi cet effet n'est pas à déclarer."))
    if follow_up.status == PvStatus.DECLARED and not reason.strip():
        raise PvTransitionError(_("Indiquez pourquoi la déclaration est rouverte."))


def _apply(
    *, follow_up: PvFollowUp, to: str, by: User, declared_on: date | None, crpv_reference: str, reason: str
) -> None:
    from_status = follow_up.status
    follow_up.status = to
    follow_up.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at", "updated_at"]
    if to == PvStatus.DECLARED:
        follow_up.declared_on = declared_on
        follow_up.crpv_reference = crpv_reference.strip()
        follow_up.declarer = by
        follow_up.not_declare_reason = ""
        fields += ["declared_on", "crpv_reference", "declarer", "not_declare_reason"]
    elif to == PvStatus.NOT_TO_DECLARE:
        follow_up.not_declare_reason = reason.strip()
        fields += ["not_declare_reason"]
    follow_up.save(update_fields=fields)
    note = reason.strip()
    if to == PvStatus.DECLARED:
        note = _("Déclarée le %(date)s, réf. %(ref)s") % {
            "date": declared_on.strftime("%d/%m/%Y") if declared_on else "",
            "ref": follow_up.crpv_reference,
        }
    _record(follow_up=follow_up, from_status=from_status, by=by, note=note)


@transaction.atomic
def pv_transition(
    *,
    follow_up: PvFollowUp,
    to: str,
    by: User,
    declared_on: date | None = None,
    crpv_reference: str = "",
    reason: str = "",
) -> PvFollowUp:
    """Move one follow-up to ``to`` (the only way a status changes after creation)."""
    _check_manager(by)
    locked = PvFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    _validate_target(follow_up=locked, to=to, declared_on=declared_on, crpv_reference=crpv_reference, reason=reason)
    _apply(follow_up=locked, to=to, by=by, declared_on=declared_on, crpv_reference=crpv_reference, reason=reason)
    return locked


# Bulk actions make sense for decisions without a per-row reference (a declaration has its own number).
BULK_TARGETS = (PvStatus.TO_ASSESS, PvStatus.TO_DECLARE, PvStatus.NOT_TO_DECLARE)


@transaction.atomic
def pv_bulk_transition(*, follow_up_ids: Iterable[int], to: str, by: User, reason: str = "") -> int:
    """Move several follow-ups at once (all or none); rows already at ``to`` are left alone.

    Returns how many rows changed.
    """
    _check_manager(by)
    if to not in BULK_TARGETS:
        raise PvTransitionError(_("Cette action groupée n'existe pas."))
    rows = list(PvFollowUp.objects.select_for_update().filter(pk__in=list(follow_up_ids)).order_by("pk"))
    if not rows:
        raise PvTransitionError(_("Sélectionnez au moins un effet."))
    changed = 0
    for follow_up in rows:
        if follow_up.status == to:
            continue
        _validate_target(follow_up=follow_up, to=to, declared_on=None, crpv_reference="", reason=reason)
        _apply(follow_up=follow_up, to=to, by=by, declared_on=None, crpv_reference="", reason=reason)
        changed += 1
    return changed


@transaction.atomic
def pv_declaration_save(
    *,
    follow_up: PvFollowUp,
    by: User,
    reaction: dict[str, Any],
    narrative: str,
    drugs: dict[int, dict[str, Any]],
    reporter_rpps: str | None = None,
) -> PvDeclaration:
    """Store what the CRPV completed: the reaction's details, the case's narrative, each drug's details.

    ``reaction`` holds PvDeclaration fields; ``drugs`` maps a drug id of the case to its detail fields.
    """
    _check_manager(by)
    reaction_fields = {"serious", *DECLARATION_FIELDS}
    values = {k: v for k, v in reaction.items() if k in reaction_fields}
    declaration, _created = PvDeclaration.objects.update_or_create(
        follow_up=follow_up, defaults={**values, "updated_by": by}
    )
    case = follow_up.toxicity.case
    case_values: dict[str, Any] = {"narrative": narrative.strip(), "updated_by": by}
    if reporter_rpps is not None:
        case_values["reporter_rpps"] = reporter_rpps.strip()
    PvCaseDetails.objects.update_or_create(case=case, defaults=case_values)
    drug_fields = {"route", "dose", "batch_numbers", "action_taken"}
    case_drug_ids = set(case.lines.values_list("drugs", flat=True))
    for drug_id, detail in drugs.items():
        if drug_id not in case_drug_ids:
            raise PvTransitionError(_("Ce médicament ne figure pas dans la demande."))
        PvDrugDetail.objects.update_or_create(
            case=case,
            drug_id=drug_id,
            defaults={
                **{k: (v or "").strip() for k, v in detail.items() if k in drug_fields},
                "batch_unknown": bool(detail.get("batch_unknown")),
            },
        )
    return declaration


def pv_remind_to_declare(*, now: dt.datetime | None = None) -> list[Notification]:
    """Once a day, the CRPV gets the list of follow-ups "to declare" for more than PV_REMINDER_DAYS days (one
    message a day: its outbox key carries the day)."""
    now = now or timezone.now()
    days = int(settings.TIGRE["PV_REMINDER_DAYS"])
    overdue = list(overdue_to_declare(older_than_days=days))
    if not overdue:
        return []
    lines = [
        {
            "reference": f.toxicity.case.reference or "",
            "pseudonym": f.toxicity.case.patient.pseudonym,
            "event": str(f.toxicity.event.label),
            "grade": f.toxicity.grade,
            "since": timezone.localtime(f.status_changed_at).strftime("%d/%m/%Y"),
        }
        for f in overdue
    ]
    crpv = User.objects.filter(is_active=True, groups__name=Role.PHARMACOVIGILANCE).distinct()
    return notify(
        kind=MessageKind.PV_REMINDER,
        recipients=crpv,
        key=f"day{timezone.localdate(now).isoformat()}",
        subject=in_french(_("Rappel : déclarations de pharmacovigilance en attente")),
        link=reverse("pharmacovigilance:list"),
        context={"days": days, "followups": lines},
    )
