"""What an export of a validated avis reads, who may download or send it, and why it may not be produced.

The exports (frcp.py, fhir.py, xdm.py) are pure functions of ``ExportData``: the same avis gives the same bytes.
``avis_export_data`` loads everything in a fixed number of queries and refuses, with French reasons, an avis that
cannot be shared: not validated yet, or a patient whose identity is not qualified (docs/exports.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Avis, Case, Drug, ImmunotherapyLine, Patient, Toxicity
from cases.pharmacovigilance.cerfa import cerfa_sheet
from cases.pharmacovigilance.e2b import e2b_minimum_missing
from cases.pharmacovigilance.models import PvFollowUp
from cases.pharmacovigilance.selectors import case_follow_ups_for_export
from cases.pharmacovigilance.services import PV_ROLES
from cases.privacy import policy
from meetings.documents.selectors import avis_for_user, can_see_draft_fiche, fiche_document_data
from meetings.models import AgendaItem, Meeting, Participant
from meetings.session.selectors import quorum_status
from tigre.accounts.models import Centre, User
from tigre.accounts.roles import Role

# OIDs of the national health identifier (INS), by kind; the test ones for invented identities (ANS, référentiel INS).
INS_OIDS = {
    ("NIR", False): "1.2.250.1.213.1.4.8",
    ("NIA", False): "1.2.250.1.213.1.4.9",
    ("NIR", True): "1.2.250.1.213.1.4.10",
    ("NIA", True): "1.2.250.1.213.1.4.11",
}
# Who may send a fiche over MSSanté: the staff that sends the board's documents.
SEND_ROLES = (Role.SECRETARIAT, Role.COORDINATOR)
# Seed of the UUID-based identifiers (docs/exports.md: identifiers without a registered OID).
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tigre-ercp:exports")


class ExportRefused(Exception):
    """The export cannot be produced; ``reasons`` says why, in French, to the user."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Ins:
    """A qualified identity's INS: 15 characters (NIR or NIA and its key) and the OID of its kind."""

    value: str
    kind: str  # "NIR" or "NIA"
    oid: str
    test: bool

    @property
    def label(self) -> str:
        return f"INS-{self.kind}"


def ins_refusal(patient: Patient) -> str | None:
    """Why the patient's INS may not identify them in a shared document, or None when it may."""
    if patient.ins_status != Patient.InsStatus.QUALIFIED:
        return _(
            "L'identité du patient n'est pas qualifiée (statut : %(status)s) : son INS ne peut pas l'identifier dans "
            "un document partagé. Quand l'établissement du demandeur a qualifié l'identité (INS vérifié par le "
            "téléservice INSi, pièce d'identité contrôlée), le statut « Identité qualifiée » se choisit dans la "
            "demande."
        ) % {"status": patient.get_ins_status_display()}
    if len(patient.ins) != 15:
        return _("L'identité est dite qualifiée mais la demande ne porte pas l'INS du patient.")
    return None


def patient_ins(patient: Patient) -> Ins:
    """The INS with its OID (NIA when the number starts with 7 or 8); refused unless the identity is qualified."""
    reason = ins_refusal(patient)
    if reason is not None:
        raise ExportRefused([reason])
    kind = "NIA" if patient.ins[0] in "78" else "NIR"
    test = bool(settings.EXPORTS.get("TEST_IDENTITIES"))
    return Ins(value=patient.ins, kind=kind, oid=INS_OIDS[(kind, test)], test=test)


def export_id(*parts: Any) -> str:
    """A stable identifier as an OID under 2.25 (a UUID written as an OID, ISO/IEC 9834-8): no registration needed,
    the same object always gets the same one."""
    return f"2.25.{uuid.uuid5(ID_NAMESPACE, ':'.join(str(p) for p in parts)).int}"


def export_uuid(*parts: Any) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(p) for p in parts)))


@dataclass
class ParticipantRow:
    user: User
    in_quorum: bool  # a present physician: counts for the quorum (docs/domain.md#quorum)
    role_label: str


@dataclass
class ExportData:
    """Everything the exports of one validated avis read (loaded by ``avis_export_data``)."""

    avis: Avis
    case: Case
    patient: Patient
    ins: Ins
    meeting: Meeting
    item: AgendaItem
    fiche: dict[str, Any]  # what the fiche PDF prints (meetings.documents.selectors.fiche_document_data)
    requester: User
    validated_by: User
    validated_at: dt.datetime
    coordinators: list[User]
    participants: list[ParticipantRow]
    quorum_ok: bool
    quorum_specialties: list[str]
    organs_without_referent: list[str]
    toxicities: list[Toxicity]
    lines: list[ImmunotherapyLine]
    drugs: list[Drug]
    organiser: Centre
    contributors: list[User] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return self.case.reference or f"TIGRE-{self.case.pk}"

    @property
    def age_at_meeting(self) -> int | None:
        return self.patient.age_on(timezone.localdate(self.meeting.starts_at))


def _organiser(validated_by: User, coordinators: list[User]) -> Centre:
    finess = settings.EXPORTS.get("ORGANISER_FINESS") or ""
    if finess:
        centre = Centre.objects.filter(finess=finess).first()
        if centre is not None:
            return centre
    for user in (validated_by, *coordinators):
        if user.centre is not None:
            return user.centre
    raise ExportRefused(
        [
            _(
                "L'établissement qui organise la RCP n'est pas connu : le coordinateur qui a validé l'avis n'a pas "
                "de centre."
            )
        ]
    )


def avis_export_data(avis: Avis) -> ExportData:
    """The data of a validated avis for its exports; refuses (ExportRefused) what may not leave the app."""
    avis = (
        Avis.objects.select_related(
            "case__patient__treating_centre",
            "case__requester__centre",
            "case__requester_centre",
            "agenda_item__meeting",
            "validated_by__centre",
        )
        .prefetch_related(
            Prefetch(
                "case__toxicities",
                queryset=Toxicity.objects.select_related("event__category").order_by("-grade", "position", "pk"),
            ),
            Prefetch(
                "case__lines",
                queryset=ImmunotherapyLine.objects.prefetch_related("drugs").order_by("position", "start_date", "pk"),
            ),
            Prefetch("agenda_item__meeting__coordinators", queryset=User.objects.select_related("centre")),
            Prefetch("contributors", queryset=User.objects.select_related("centre")),
        )
        .get(pk=avis.pk)
    )
    if avis.state != Avis.State.VALIDATED or avis.validated_by is None or avis.validated_at is None:
        raise ExportRefused([_("La fiche n'est exportable qu'une fois l'avis validé par les coordinateurs.")])
    case = avis.case
    ins = patient_ins(case.patient)
    item = avis.agenda_item
    meeting = item.meeting
    coordinators = sorted(meeting.coordinators.all(), key=lambda u: (u.last_name, u.first_name, u.pk))
    organiser = _organiser(avis.validated_by, coordinators)
    participants = list(
        Participant.objects.filter(meeting=meeting)
        .select_related("user__centre")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    # Quorum and organ cover as recorded at validation (docs/domain.md#meeting-integrity), as the fiche prints them;
    # computed for a meeting validated before the record existed.
    recorded = meeting.attendance_record
    if recorded:
        quorum_ok, specialties = recorded["quorum"]["ok"], list(recorded["quorum"]["specialties"])
        missing = list(recorded["items"].get(str(item.pk), {}).get("missing", []))
    else:
        item.case = case  # the quorum reads the case's toxicities: already prefetched
        quorum = quorum_status(meeting=meeting, participants=participants, items=[item])
        cover = quorum.items.get(item.pk)
        quorum_ok, specialties = quorum.ok, [str(s) for s in quorum.specialties]
        missing = [c.label for c in cover.missing] if cover else []
    lines = list(case.lines.all())
    drugs: list[Drug] = []
    for line in lines:
        drugs += [d for d in line.drugs.all() if d not in drugs]
    return ExportData(
        avis=avis,
        case=case,
        patient=case.patient,
        ins=ins,
        meeting=meeting,
        item=item,
        fiche=fiche_document_data(avis),
        requester=case.requester,
        validated_by=avis.validated_by,
        validated_at=avis.validated_at,
        coordinators=coordinators,
        participants=[
            ParticipantRow(user=p.user, in_quorum=bool(p.user.specialty), role_label=str(p.get_role_display()))
            for p in participants
            if p.present
        ],
        quorum_ok=quorum_ok,
        quorum_specialties=specialties,
        organs_without_referent=missing,
        toxicities=list(case.toxicities.all()),
        lines=lines,
        drugs=drugs,
        organiser=organiser,
        contributors=sorted(avis.contributors.all(), key=lambda u: (u.last_name, u.pk)),
    )


# --- Access ------------------------------------------------------------------------------------------------------


def avis_for_export(user: User, pk: Any) -> Avis:
    """The avis, under the fiche PDF's rules (404 outside the user's scope, drafts for the board's staff only),
    for a reader who sees the patient's identity: the exports carry the INS (docs/privacy.md#what-each-role-sees)."""
    avis = avis_for_user(user, pk)
    if not policy.sees_identity(user, avis.case):
        raise Http404
    return avis


def can_send_mssante(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*SEND_ROLES)))


def mssante_configured() -> bool:
    return "mssante" in getattr(settings, "EMAIL_RELAYS", {})


@dataclass(frozen=True)
class MssanteRecipient:
    label: str  # "médecin demandeur", "médecin traitant"
    name: str
    address: str
    user: User | None  # the requester's account; None for the GP, who has none


def mssante_recipients(case: Case) -> list[MssanteRecipient]:
    """The requester and the patient's GP, each when their MSSanté address is known."""
    found: list[MssanteRecipient] = []
    requester = case.requester
    if requester.mssante_address:
        found.append(
            MssanteRecipient(_("médecin demandeur"), requester.display_name, requester.mssante_address, requester)
        )
    patient = case.patient
    if patient.gp_mssante and patient.gp_mssante.lower() not in {r.address.lower() for r in found}:
        found.append(
            MssanteRecipient(_("médecin traitant"), patient.gp_name or patient.gp_mssante, patient.gp_mssante, None)
        )
    return found


@dataclass
class AvisExports:
    """What the case page offers for one avis: the links, or why there are none."""

    avis: Avis
    refusals: list[str]
    recipients: list[MssanteRecipient]
    can_send: bool
    relay_ready: bool

    @property
    def available(self) -> bool:
        return not self.refusals


def case_exports(user: User, case: Case, fiches: list[Avis]) -> list[AvisExports]:
    """The exports of each fiche the user may print (``fiches``: documents.selectors.fiches_for_case), no query
    of its own beyond the case's patient and requester."""
    rows: list[AvisExports] = []
    if not policy.sees_identity(user, case):  # identified exports only (docs/privacy.md#what-each-role-sees)
        return rows
    for avis in fiches:
        refusals = []
        if avis.state != Avis.State.VALIDATED:
            if not can_see_draft_fiche(user):
                continue
            refusals.append(_("Les exports sont produits une fois l'avis validé."))
        elif (reason := ins_refusal(case.patient)) is not None:
            refusals.append(reason)
        rows.append(
            AvisExports(
                avis=avis,
                refusals=refusals,
                recipients=mssante_recipients(case),
                can_send=can_send_mssante(user),
                relay_ready=mssante_configured(),
            )
        )
    return rows


@dataclass
class CaseE2B:
    """The E2B(R3) export of a case for the CRPV: available, or what its minimum criteria lack."""

    case: Case
    missing: list[str]


def case_e2b(user: User, case: Case) -> CaseE2B | None:
    """For the pharmacovigilance roles, once the case has a pharmacovigilance follow-up."""
    if not (user.is_authenticated and (user.is_superuser or user.has_role(*PV_ROLES))):
        return None
    if not PvFollowUp.objects.filter(toxicity__case=case).exists():
        return None
    sheets = [cerfa_sheet(follow_up=f) for f in case_follow_ups_for_export(case.pk)]
    return CaseE2B(case=case, missing=e2b_minimum_missing(sheets))
