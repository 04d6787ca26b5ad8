"""The declaration sheet: the fields of the French Cerfa 10011 form, prepared from the request.

``cerfa_sheet(follow_up=...)`` reads only what is already loaded by
``selectors.follow_up_for_sheet`` (no query of its own) and lists, in French, what is still missing.
The E2B(R3) export (e2b.py) is built from the same sheet, so both say the same thing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Avis, ImmunotherapyLine
from tigre.formats import of

from .models import (
    SERIOUSNESS_CRITERIA,
    ActionTaken,
    Dechallenge,
    Outcome,
    PvDeclaration,
    PvFollowUp,
    Rechallenge,
)

NATIONAL_PORTAL_URL = "https://signalement.social-sante.gouv.fr"


def _letters(text: str) -> str:
    """Upper-case letters only, accents removed ("Le Gall-Hérault" -> "LEGALLHERAULT")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.upper() if ch.isalpha())


def cerfa_initials(*, birth_name: str, first_names: str) -> tuple[str, str]:
    """What the Cerfa asks: the first 3 letters of the birth name, the first letter of the first name."""
    return _letters(birth_name)[:3], _letters(first_names)[:1]


@dataclass
class DrugRow:
    drug_id: int
    name: str
    atc_code: str
    is_biologic: bool
    role: str  # always "suspect" for the ICI under discussion (E2B G.k.1 = 1)
    route: str
    dose: str
    start_date: date | None
    end_date: date | None
    ongoing: bool
    indication: str
    batch_numbers: str
    action_taken: str  # ActionTaken code
    action_taken_derived: bool
    batch_unknown: bool = False

    @property
    def action_taken_label(self) -> str:
        return str(ActionTaken(self.action_taken).label) if self.action_taken else ""


@dataclass
class CerfaSheet:
    follow_up: PvFollowUp
    case: Any
    # Reporter (the requester)
    reporter_name: str
    reporter_first_name: str
    reporter_last_name: str
    reporter_title: str
    reporter_specialty: str
    reporter_rpps: str
    reporter_centre: str
    reporter_city: str
    reporter_email: str
    reporter_phone: str
    # Patient
    initials_name: str
    initials_first: str
    sex: str
    sex_label: str
    birth_date: date | None
    age_at_onset: int | None
    weight_kg: Decimal | None
    height_cm: int | None
    history: str
    # Drugs
    drugs: list[DrugRow]
    # Effect
    event_label: str
    ctcae_term: str
    category_label: str
    grade: int
    onset_date: date
    description: str
    meddra_code: str
    meddra_version: str
    serious: bool | None
    # Seriousness taken from the avis or the grade, not from what the CRPV recorded (the sheet says so).
    serious_derived: bool
    criteria: list[tuple[str, str, bool]]  # (label, E2B element, value)
    outcome: str
    outcome_derived: bool
    dechallenge: str
    rechallenge: str
    narrative: str
    narrative_derived: bool
    # Follow-up
    status_label: str
    missing: list[str] = field(default_factory=list)

    @property
    def criteria_met(self) -> list[str]:
        """The labels of the seriousness criteria that hold."""
        return [label for label, _element, value in self.criteria if value]

    @property
    def initials(self) -> str:
        return f"{self.initials_name} {self.initials_first}".strip()

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome else ""

    @property
    def dechallenge_label(self) -> str:
        return str(Dechallenge(self.dechallenge).label) if self.dechallenge else ""

    @property
    def rechallenge_label(self) -> str:
        return str(Rechallenge(self.rechallenge).label) if self.rechallenge else ""

    @property
    def reaction_term(self) -> str:
        """E.i.1.1a: the CTCAE term when there is one, else the event's label."""
        term = self.ctcae_term if self.ctcae_term and self.ctcae_term.lower() != "other" else ""
        return term or self.event_label

    @property
    def portal_url(self) -> str:
        return NATIONAL_PORTAL_URL


def _latest_avis(case: Any) -> Avis | None:
    validated = [a for a in case.avis_set.all() if a.state == Avis.State.VALIDATED]
    validated.sort(key=lambda a: a.validated_at or timezone.now())
    return validated[-1] if validated else None


def _default_action(line: ImmunotherapyLine, avis: Avis | None) -> str:
    if avis is not None and avis.ici_decision in (Avis.IciDecision.HOLD, Avis.IciDecision.STOP):
        return ActionTaken.WITHDRAWN
    if line.status in (ImmunotherapyLine.LineStatus.HELD, ImmunotherapyLine.LineStatus.STOPPED):
        return ActionTaken.WITHDRAWN
    if avis is not None and avis.ici_decision == Avis.IciDecision.CONTINUE:
        return ActionTaken.DOSE_NOT_CHANGED
    return ""


def _indication(case: Any) -> str:
    site = case.primary_site_label
    if site and case.primary_site:
        site = f"{site} ({case.primary_site})"
    parts = [p for p in (case.histology, site) if p]
    text = " — ".join(parts)
    if case.stage:
        text = f"{text}, {_('stade')} {case.stage}" if text else ""
    return text


def _default_narrative(case: Any, toxicity: Any, avis: Avis | None) -> str:
    parts = []
    parts.append(
        _("%(event)s de grade %(grade)s (CTCAE v5) apparue le %(date)s sous immunothérapie.")
        % {"event": toxicity.event.label, "grade": toxicity.grade, "date": toxicity.onset_date.strftime("%d/%m/%Y")}
    )
    for text in (toxicity.description, toxicity.management_notes):
        if text.strip():
            parts.append(text.strip())
    if toxicity.steroids_mg_per_kg:
        parts.append(_("Corticoïdes %(dose)s mg/kg/j.") % {"dose": toxicity.steroids_mg_per_kg})
    if toxicity.other_immunosuppressants:
        parts.append(_("Autres immunosuppresseurs : %(drugs)s.") % {"drugs": toxicity.other_immunosuppressants})
    if avis is not None:
        parts.append(_("Avis de la RCP TIGRE : %(answer)s") % {"answer": avis.answer.strip()})
    return "\n".join(parts)


def cerfa_sheet(*, follow_up: PvFollowUp) -> CerfaSheet:
    toxicity = follow_up.toxicity
    case = toxicity.case
    patient = case.patient
    requester = case.requester
    centre = case.requester_centre or requester.centre
    declaration: PvDeclaration | None = getattr(follow_up, "declaration", None)
    details = getattr(case, "pv_details", None)
    avis = _latest_avis(case)
    drug_details = {d.drug_id: d for d in case.pv_drug_details.all()}
    missing: list[str] = []

    # Drugs: each ICI of the case's lines (suspect), with the details the CRPV completed.
    rows: list[DrugRow] = []
    seen: set[int] = set()
    indication = _indication(case)
    for line in case.lines.all():
        for drug in line.drugs.all():
            if drug.pk in seen:
                continue
            seen.add(drug.pk)
            detail = drug_details.get(drug.pk)
            action = detail.action_taken if detail and detail.action_taken else _default_action(line, avis)
            ongoing = line.status == ImmunotherapyLine.LineStatus.ONGOING
            rows.append(
                DrugRow(
                    drug_id=drug.pk,
                    name=drug.name,
                    atc_code=drug.atc_code,
                    is_biologic=drug.is_biologic,
                    role="suspect",
                    route=detail.route if detail else "",
                    dose=(detail.dose if detail and detail.dose else line.dose),
                    start_date=line.start_date,
                    end_date=None if ongoing else line.last_dose_date,
                    ongoing=ongoing,
                    indication=indication,
                    batch_numbers=detail.batch_numbers if detail else "",
                    batch_unknown=bool(detail and detail.batch_unknown),
                    action_taken=action,
                    action_taken_derived=not (detail and detail.action_taken),
                )
            )
    if not rows:
        missing.append(_("Médicament suspect : aucune immunothérapie n'est renseignée dans la demande"))
    for row in rows:
        if not row.route:
            missing.append(_("Voie d'administration %(of_drug)s") % {"of_drug": of(row.name)})
        if not row.dose:
            missing.append(_("Posologie %(of_drug)s") % {"of_drug": of(row.name)})
        if row.is_biologic and not row.batch_numbers and not row.batch_unknown:
            missing.append(_("Numéro de lot %(of_drug)s (médicament biologique)") % {"of_drug": of(row.name)})
        if not row.ongoing and row.end_date is None:
            missing.append(_("Date de fin %(of_drug)s") % {"of_drug": of(row.name)})
        if not row.action_taken:
            missing.append(_("Mesure prise pour %(drug)s") % {"drug": row.name})
    if not indication:
        missing.append(_("Indication (localisation et histologie du cancer)"))

    history = "\n".join(
        text.strip() for text in (case.history, case.autoimmune_history, case.comorbidities) if text.strip()
    )
    reporter_rpps = requester.rpps or (details.reporter_rpps if details else "")
    if not reporter_rpps:
        missing.append(_("Numéro RPPS du déclarant"))
    if patient.weight_kg is None:
        missing.append(_("Poids du patient"))
    if patient.height_cm is None:
        missing.append(_("Taille du patient"))
    if not history:
        missing.append(_("Antécédents du patient"))

    fatal = toxicity.grade == 5
    serious = declaration.serious if declaration else None
    serious_derived = False
    criteria = [
        (
            str(getattr(PvDeclaration._meta.get_field(name), "verbose_name", name)),
            element,
            bool(declaration and getattr(declaration, name)),
        )
        for name, element in SERIOUSNESS_CRITERIA
    ]
    if fatal:
        # Grade 5 is death related to the adverse event (CTCAE v5): serious, fatal outcome.
        serious_derived = serious is None
        serious = True
        criteria[0] = (criteria[0][0], criteria[0][1], True)
    elif serious is None and avis is not None and avis.hospitalisation:
        # The avis asks for a hospitalisation: serious, criterion "hospitalisation", until the CRPV says otherwise
        # (docs/domain.md#pharmacovigilance).
        serious, serious_derived = True, True
        criteria[2] = (criteria[2][0], criteria[2][1], True)
    if serious is None:
        missing.append(_("Gravité de l'effet (grave ou non grave)"))
    elif serious and not any(value for _label, _element, value in criteria):
        missing.append(_("Critère de gravité"))
    outcome = declaration.outcome if declaration and declaration.outcome else ""
    outcome_derived = False
    if not outcome and fatal:
        outcome, outcome_derived = Outcome.FATAL, True
    if not outcome:
        missing.append(_("Évolution de l'effet"))
    dechallenge = declaration.dechallenge if declaration else ""
    rechallenge = declaration.rechallenge if declaration else ""
    if not dechallenge:
        missing.append(_("Évolution à l'arrêt du traitement (dechallenge)"))
    if not rechallenge:
        missing.append(_("Réintroduction du traitement (rechallenge)"))
    meddra_code = declaration.meddra_code if declaration else ""
    if not meddra_code:
        missing.append(_("Code MedDRA de l'effet (pour l'export E2B)"))

    narrative = details.narrative if details and details.narrative else ""
    narrative_derived = not narrative
    if narrative_derived:
        narrative = _default_narrative(case, toxicity, avis)

    initials_name, initials_first = cerfa_initials(birth_name=patient.birth_name, first_names=patient.first_names)
    return CerfaSheet(
        follow_up=follow_up,
        case=case,
        reporter_name=requester.display_name,
        reporter_first_name=requester.first_name,
        reporter_last_name=requester.last_name,
        reporter_title=requester.get_title_display(),
        reporter_specialty=requester.get_specialty_display() if requester.specialty else "",
        reporter_rpps=reporter_rpps,
        reporter_centre=centre.name if centre else "",
        reporter_city=centre.city if centre else "",
        reporter_email=requester.email,
        reporter_phone=requester.phone,
        initials_name=initials_name,
        initials_first=initials_first,
        sex=patient.sex,
        sex_label=patient.get_sex_display(),
        birth_date=patient.birth_date,
        age_at_onset=patient.age_on(toxicity.onset_date) if patient.birth_date else None,
        weight_kg=patient.weight_kg,
        height_cm=patient.height_cm,
        history=history,
        drugs=rows,
        event_label=toxicity.event.label,
        ctcae_term=toxicity.event.ctcae_term,
        category_label=toxicity.event.category.label,
        grade=toxicity.grade,
        onset_date=toxicity.onset_date,
        description=toxicity.description,
        meddra_code=meddra_code,
        meddra_version=declaration.meddra_version if declaration else "",
        serious=serious,
        serious_derived=serious_derived,
        criteria=criteria,
        outcome=outcome,
        outcome_derived=outcome_derived,
        dechallenge=dechallenge,
        rechallenge=rechallenge,
        narrative=narrative,
        narrative_derived=narrative_derived,
        status_label=follow_up.get_status_display(),
        missing=missing,
    )
