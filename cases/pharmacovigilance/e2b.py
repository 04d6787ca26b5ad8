"""ICH E2B(R3) export of a case: an HL7 v3 ICSR message (``urn:hl7-org:v3``), built with lxml.

The message follows the structure and OIDs of the ICH E2B(R3) implementation guide (batch wrapper
MCCI_IN200100UV01 holding one PORR_IN049016UV message). Each element below is annotated with the data
element it carries (N.1.x batch, N.2.r message, C.1 case identification, C.2 primary source, C.3 sender,
D patient, E.i reaction, G.k drug, H narrative). Values come from the declaration sheet (cerfa.py), so
the sheet and the export always agree. lxml escapes markup characters; characters XML 1.0 forbids are
dropped before they reach it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from .cerfa import CerfaSheet
from .models import SERIOUSNESS_CRITERIA

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: HL7, "xsi": XSI}
XSI_TYPE = f"{{{XSI}}}type"

# OIDs of the ICH E2B(R3) implementation guide.
OID_BATCH_NUMBER = "2.16.840.1.113883.3.989.2.1.3.22"  # N.1.2
OID_BATCH_SENDER = "2.16.840.1.113883.3.989.2.1.3.13"  # N.1.3
OID_BATCH_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.14"  # N.1.4
OID_MESSAGE_ID = "2.16.840.1.113883.3.989.2.1.3.1"  # N.2.r.1 and C.1.1
OID_MESSAGE_SENDER = "2.16.840.1.113883.3.989.2.1.3.11"  # N.2.r.2
OID_MESSAGE_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.12"  # N.2.r.3
OID_WORLDWIDE_CASE_ID = "2.16.840.1.113883.3.989.2.1.3.2"  # C.1.8.1
OID_MESSAGE_TYPE = "2.16.840.1.113883.3.989.2.1.1.1"  # N.1.1
OID_REPORT_TYPE = "2.16.840.1.113883.3.989.2.1.1.2"  # C.1.3
OID_FIRST_SENDER = "2.16.840.1.113883.3.989.2.1.1.3"  # C.1.8.2
OID_QUALIFICATION = "2.16.840.1.113883.3.989.2.1.1.6"  # C.2.r.4
OID_SENDER_TYPE = "2.16.840.1.113883.3.989.2.1.1.7"  # C.3.1
OID_OUTCOME = "2.16.840.1.113883.3.989.2.1.1.11"  # E.i.7
OID_DRUG_ROLE = "2.16.840.1.113883.3.989.2.1.1.13"  # G.k.1
OID_ACTION_TAKEN = "2.16.840.1.113883.3.989.2.1.1.15"  # G.k.8
OID_RECURRENCE = "2.16.840.1.113883.3.989.2.1.1.16"  # G.k.9.i.4
OID_OBSERVATION = "2.16.840.1.113883.3.989.2.1.1.19"  # ICH observation codes
OID_ORGANIZER = "2.16.840.1.113883.3.989.2.1.1.20"  # ICH organizer category codes
OID_SOURCE_ROLE = "2.16.840.1.113883.3.989.2.1.1.21"
OID_RELATIONSHIP = "2.16.840.1.113883.3.989.2.1.1.22"
OID_CHARACTERISTIC = "2.16.840.1.113883.3.989.2.1.1.23"
OID_SEX = "1.0.5218"  # ISO 5218
OID_COUNTRY = "1.0.3166.1.2.2"  # ISO 3166-1 alpha-2
OID_MEDDRA = "2.16.840.1.113883.6.163"

# ICH observation codes (OID_OBSERVATION) for the seriousness criteria E.i.3.2a-f.
SERIOUSNESS_CODES = {
    "results_in_death": ("34", "resultsInDeath"),
    "life_threatening": ("21", "isLifeThreatening"),
    "hospitalisation": ("33", "requiresInpatientHospitalization"),
    "disabling": ("35", "resultsInPersistentOrSignificantDisability"),
    "congenital_anomaly": ("12", "congenitalAnomalyBirthDefect"),
    "other_medically_important": ("26", "otherMedicallyImportantCondition"),
}
SEX_CODES = {"M": "1", "F": "2"}  # ISO 5218; "unknown" is sent as nullFlavor UNK
SENDER_TYPE_CRPV = "4"  # C.3.1: regional pharmacovigilance centre
REPORT_TYPE_SPONTANEOUS = "1"  # C.1.3
QUALIFICATION_PHYSICIAN = "1"  # C.2.r.4
ROLE_SUSPECT = "1"  # G.k.1

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    """Text safe for XML 1.0 (lxml escapes <, >, &; control characters are removed here)."""
    return _FORBIDDEN.sub("", str(value)) if value is not None else ""


def _ts(value: date | datetime) -> str:
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return local.strftime("%Y%m%d%H%M%S%z")
    return value.strftime("%Y%m%d")


def _el(parent: etree._Element, tag: str, text: Any = None, **attrs: Any) -> etree._Element:
    element = etree.SubElement(parent, f"{{{HL7}}}{tag}")
    for key, value in attrs.items():
        if value is None:
            continue
        element.set(XSI_TYPE if key == "xsi_type" else key.rstrip("_"), _text(value))
    if text is not None:
        element.text = _text(text)
    return element


def _code(parent: etree._Element, code: str, system: str, display: str | None = None) -> etree._Element:
    return _el(parent, "code", code=code, codeSystem=system, displayName=display)


def _device(parent: etree._Element, tag: str, type_code: str, root: str, extension: str) -> None:
    holder = _el(parent, tag, typeCode=type_code)
    device = _el(holder, "device", classCode="DEV", determinerCode="INSTANCE")
    _el(device, "id", root=root, extension=extension)


def _observation(
    parent: etree._Element, tag: str, obs_code: str, display: str, value_type: str, /, **value: Any
) -> etree._Element:
    holder = _el(parent, tag, typeCode="SBJ" if tag == "subjectOf2" else "PERT")
    obs = _el(holder, "observation", classCode="OBS", moodCode="EVN")
    _code(obs, obs_code, OID_OBSERVATION, display)
    _el(obs, "value", xsi_type=value_type, **value)
    return obs


class E2BMinimumCriteriaMissing(ValueError):
    """A case without the four minimum criteria of a valid ICSR is not exported; ``missing`` names them (French)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("; ".join(missing))
        self.missing = missing


def e2b_minimum_missing(sheets: Sequence[CerfaSheet]) -> list[str]:
    """The minimum criteria of a valid case report (ICH E2D; E2B(R3) section 1.2) the sheets do not meet: an
    identifiable patient, an identifiable reporter, at least one reaction, at least one suspect drug. Returns
    what is missing, in French, for the CRPV (empty: the case may be exported)."""
    missing: list[str] = []
    first = sheets[0] if sheets else None
    patient_known = first is not None and (
        bool(first.initials) or first.sex in SEX_CODES or first.birth_date is not None or first.age_at_onset is not None
    )
    if not patient_known:
        missing.append(_("un patient identifiable (au moins ses initiales, son sexe, sa date de naissance ou son âge)"))
    reporter_known = first is not None and (
        bool(first.reporter_last_name.strip() or first.reporter_first_name.strip())
        or bool(first.reporter_email or first.reporter_phone)
    )
    if not reporter_known:
        missing.append(_("un notificateur identifiable (le nom ou les coordonnées du médecin demandeur)"))
    if not any(sheet.reaction_term.strip() for sheet in sheets):
        missing.append(_("un effet indésirable décrit (au moins une réaction)"))
    if first is None or not any(drug.role == "suspect" for drug in first.drugs):
        missing.append(_("un médicament suspect (au moins une immunothérapie renseignée dans la demande)"))
    return missing


def e2b_case_identifier(case: Any) -> str:
    """C.1.1 / C.1.8.1: country, sender, local number."""
    reference = case.reference or f"TIGRE-{case.pk}"
    return f"FR-{reference}" if reference.startswith("TIGRE-") else f"FR-TIGRE-{reference}"


def e2b_export(*, sheets: Sequence[CerfaSheet], sender_organisation: str, sender_name: str = "") -> bytes:
    """One ICSR for one case, with one E.i reaction per sheet (all sheets belong to the same case).

    Raises E2BMinimumCriteriaMissing when the four minimum criteria of a case report are not met."""
    missing = e2b_minimum_missing(sheets)
    if missing:
        raise E2BMinimumCriteriaMissing(missing)
    first = sheets[0]
    case = first.case
    now = timezone.now()
    case_id = e2b_case_identifier(case)
    message_id = f"{case_id}-{now:%Y%m%d%H%M%S}"

    # --- Batch wrapper (N.1) ---
    batch = etree.Element(f"{{{HL7}}}MCCI_IN200100UV01", nsmap=NSMAP, ITSVersion="XML_1.0")
    _el(batch, "id", root=OID_BATCH_NUMBER, extension=message_id)  # N.1.2 batch number
    _el(batch, "creationTime", value=_ts(now))  # N.1.5 date of batch transmission
    _el(batch, "responseModeCode", code="D")
    _el(batch, "interactionId", root="2.16.840.1.113883.1.6", extension="MCCI_IN200100UV01")
    _el(batch, "name", code="1", codeSystem=OID_MESSAGE_TYPE)  # N.1.1 type of messages in batch: ichicsr

    # --- Message (N.2.r) ---
    message = _el(batch, "PORR_IN049016UV")
    _el(message, "id", root=OID_MESSAGE_ID, extension=message_id)  # N.2.r.1 message identifier
    _el(message, "creationTime", value=_ts(now))  # N.2.r.4 date of message creation
    _el(message, "interactionId", root="2.16.840.1.113883.1.6", extension="PORR_IN049016UV")
    _el(message, "processingCode", code="P")
    _el(message, "processingModeCode", code="T")
    _el(message, "acceptAckCode", code="AL")
    _device(message, "receiver", "RCV", OID_MESSAGE_RECEIVER, "ANSM")  # N.2.r.3
    _device(message, "sender", "SND", OID_MESSAGE_SENDER, "TIGRE")  # N.2.r.2

    act = _el(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    _el(act, "code", code="PORR_TE049016UV", codeSystem="2.16.840.1.113883.1.18")
    _el(act, "effectiveTime", value=_ts(now))  # C.1.2 date of creation
    subject = _el(act, "subject", typeCode="SUBJ")

    # --- C.1 Case identification ---
    event = _el(subject, "investigationEvent", classCode="INVSTG", moodCode="EVN")
    _el(event, "id", root=OID_MESSAGE_ID, extension=case_id)  # C.1.1 sender's safety report unique id
    _el(event, "id", root=OID_WORLDWIDE_CASE_ID, extension=case_id)  # C.1.8.1 worldwide unique case id
    _el(event, "code", code="PAT_ADV_EVNT", codeSystem="2.16.840.1.113883.5.4")
    narrative = "\n\n".join(dict.fromkeys(s.narrative for s in sheets if s.narrative))
    _el(event, "text", narrative)  # H.1 case narrative
    _el(event, "statusCode", code="active")
    received = case.submitted_at or case.created_at
    effective = _el(event, "effectiveTime")
    _el(effective, "low", value=_ts(received.date() if received else now.date()))  # C.1.4 first received
    _el(event, "availabilityTime", value=_ts(now.date()))  # C.1.5 date of most recent information

    assessment_holder = _el(event, "component", typeCode="COMP")
    assessment = _el(assessment_holder, "adverseEventAssessment", classCode="INVSTG", moodCode="EVN")
    subject1 = _el(assessment, "subject1", typeCode="SBJ")
    role = _el(subject1, "primaryRole", classCode="INVSBJ")

    # --- D Patient ---
    person = _el(role, "player1", classCode="PSN", determinerCode="INSTANCE")
    _el(person, "name", first.initials)  # D.1 patient (name or initials)
    if first.sex in SEX_CODES:
        _el(person, "administrativeGenderCode", code=SEX_CODES[first.sex], codeSystem=OID_SEX)  # D.5 sex
    else:
        _el(person, "administrativeGenderCode", nullFlavor="UNK")
    if first.birth_date:
        _el(person, "birthTime", value=_ts(first.birth_date))  # D.2.1 date of birth
    if first.age_at_onset is not None:  # D.2.2a/b age at time of onset
        _observation(role, "subjectOf2", "3", "age", "PQ", value=first.age_at_onset, unit="a")
    if first.weight_kg is not None:  # D.3 body weight (kg)
        _observation(role, "subjectOf2", "7", "bodyWeight", "PQ", value=first.weight_kg, unit="kg")
    if first.height_cm is not None:  # D.4 height (cm)
        _observation(role, "subjectOf2", "17", "height", "PQ", value=first.height_cm, unit="cm")
    if first.history:  # D.7.2 text for relevant medical history and concurrent conditions
        holder = _el(role, "subjectOf2", typeCode="SBJ")
        organizer = _el(holder, "organizer", classCode="CATEGORY", moodCode="EVN")
        _code(organizer, "1", OID_ORGANIZER, "relevantMedicalHistoryAndConcurrentConditions")
        component = _el(organizer, "component", typeCode="COMP")
        obs = _el(component, "observation", classCode="OBS", moodCode="EVN")
        _code(obs, "18", OID_OBSERVATION, "historyAndConcurrentConditionText")
        _el(obs, "value", first.history, xsi_type="ED")

    # --- E.i Reactions ---
    reaction_ids: list[str] = []
    for sheet in sheets:
        reaction_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"tigre:toxicity:{sheet.follow_up.toxicity_id}"))
        reaction_ids.append(reaction_id)
        holder = _el(role, "subjectOf2", typeCode="SBJ")
        obs = _el(holder, "observation", classCode="OBS", moodCode="EVN")
        _el(obs, "id", root=reaction_id)
        _code(obs, "29", OID_OBSERVATION, "reaction")
        period = _el(obs, "effectiveTime", xsi_type="IVL_TS")
        _el(period, "low", value=_ts(sheet.onset_date))  # E.i.4 date of start of reaction
        if sheet.meddra_code:  # E.i.2.1a/b MedDRA version and code
            value = _el(
                obs,
                "value",
                xsi_type="CE",
                code=sheet.meddra_code,
                codeSystem=OID_MEDDRA,
                codeSystemVersion=sheet.meddra_version or None,
            )
        else:  # no MedDRA code yet: the CTCAE term travels as the reported term only
            value = _el(obs, "value", xsi_type="CE", nullFlavor="NI")
        _el(value, "originalText", sheet.reaction_term, language="fra")  # E.i.1.1a/b reaction as reported
        location = _el(obs, "location", typeCode="LOC")
        entity = _el(location, "locatedEntity", classCode="LOCE")
        place = _el(entity, "locatedPlace", classCode="COUNTRY", determinerCode="INSTANCE")
        _el(place, "code", code="FR", codeSystem=OID_COUNTRY)  # E.i.9 country where the reaction occurred
        criteria = {
            name: value for (name, _e), (_l, _e2, value) in zip(SERIOUSNESS_CRITERIA, sheet.criteria, strict=True)
        }
        for name, _element in SERIOUSNESS_CRITERIA:  # E.i.3.2a-f: true, or nullFlavor NI
            code, display = SERIOUSNESS_CODES[name]
            if criteria[name]:
                _observation(obs, "outboundRelationship2", code, display, "BL", value="true")
            else:
                _observation(obs, "outboundRelationship2", code, display, "BL", nullFlavor="NI")
        if sheet.outcome:  # E.i.7 outcome
            _observation(
                obs, "outboundRelationship2", "27", "outcome", "CE", code=sheet.outcome, codeSystem=OID_OUTCOME
            )
        else:
            _observation(obs, "outboundRelationship2", "27", "outcome", "CE", code="0", codeSystem=OID_OUTCOME)

    # --- G.k Drugs ---
    drug_holder = _el(role, "subjectOf2", typeCode="SBJ")
    drug_organizer = _el(drug_holder, "organizer", classCode="CATEGORY", moodCode="EVN")
    _code(drug_organizer, "4", OID_ORGANIZER, "drugInformation")
    drug_ids: list[str] = []
    for drug in first.drugs:
        drug_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"tigre:case:{case.pk}:drug:{drug.drug_id}"))
        drug_ids.append(drug_id)
        component = _el(drug_organizer, "component", typeCode="COMP")
        administration = _el(component, "substanceAdministration", classCode="SBADM", moodCode="EVN")
        _el(administration, "id", root=drug_id)
        consumable = _el(administration, "consumable", typeCode="CSM")
        instance = _el(consumable, "instanceOfKind", classCode="INST")
        product = _el(instance, "kindOfProduct", classCode="MMAT", determinerCode="KIND")
        _el(product, "name", drug.name)  # G.k.2.2 medicinal product name as reported
        ingredient = _el(product, "ingredient", classCode="ACTI")
        substance = _el(ingredient, "ingredientSubstance", classCode="MMAT", determinerCode="KIND")
        _el(substance, "name", drug.name)  # G.k.2.3.r.1 substance name (INN)
        # G.k.4.r dosage: dates, dosage text, route, batch number
        dosage_holder = _el(administration, "outboundRelationship2", typeCode="COMP")
        dosage = _el(dosage_holder, "substanceAdministration", classCode="SBADM", moodCode="EVN")
        if drug.dose:
            _el(dosage, "text", drug.dose)  # G.k.4.r.8 dosage text
        period = _el(dosage, "effectiveTime", xsi_type="IVL_TS")
        if drug.start_date:
            _el(period, "low", value=_ts(drug.start_date))  # G.k.4.r.4 date of start of drug
        if drug.end_date:
            _el(period, "high", value=_ts(drug.end_date))  # G.k.4.r.5 date of last administration
        if drug.route:
            route = _el(dosage, "routeCode")
            _el(route, "originalText", drug.route)  # G.k.4.r.10.1 route of administration (free text)
        if drug.batch_numbers:
            dose_consumable = _el(dosage, "consumable", typeCode="CSM")
            dose_instance = _el(dose_consumable, "instanceOfKind", classCode="INST")
            lot = _el(dose_instance, "productInstanceInstance", classCode="MMAT", determinerCode="INSTANCE")
            _el(lot, "lotNumberText", drug.batch_numbers)  # G.k.4.r.7 batch/lot number
            _el(dose_instance, "kindOfProduct", classCode="MMAT", determinerCode="KIND")
        # G.k.9.i.4 did the reaction recur on re-administration? (per reaction)
        for sheet, reaction_id in zip(sheets, reaction_ids, strict=True):
            if not sheet.rechallenge:
                continue
            recurrence = _observation(
                administration,
                "outboundRelationship2",
                "31",
                "recurranceOfReaction",
                "CE",
                code=sheet.rechallenge,
                codeSystem=OID_RECURRENCE,
            )
            reference = _el(recurrence, "outboundRelationship1", typeCode="REFR")
            act_ref = _el(reference, "actReference", classCode="OBS", moodCode="EVN")
            _el(act_ref, "id", root=reaction_id)
        if drug.indication:  # G.k.7.r.1 indication as reported
            reason = _el(administration, "inboundRelationship", typeCode="RSON")
            obs = _el(reason, "observation", classCode="OBS", moodCode="EVN")
            _code(obs, "19", OID_OBSERVATION, "indication")
            value = _el(obs, "value", xsi_type="CE", nullFlavor="NI")
            _el(value, "originalText", drug.indication)
            performer = _el(obs, "performer", typeCode="PRF")
            assigned = _el(performer, "assignedEntity", classCode="ASSIGNED")
            _code(assigned, "3", OID_SOURCE_ROLE, "sourceReporter")
        if drug.action_taken:  # G.k.8 action(s) taken with drug
            cause = _el(administration, "inboundRelationship", typeCode="CAUS")
            action = _el(cause, "act", classCode="ACT", moodCode="EVN")
            _el(action, "code", code=drug.action_taken, codeSystem=OID_ACTION_TAKEN)

    # G.k.1 characterisation of drug role: each ICI is suspect.
    for drug_id in drug_ids:
        component = _el(assessment, "component", typeCode="COMP")
        causality = _el(component, "causalityAssessment", classCode="OBS", moodCode="EVN")
        _code(causality, "20", OID_OBSERVATION, "interventionCharacterization")
        _el(causality, "value", xsi_type="CE", code=ROLE_SUSPECT, codeSystem=OID_DRUG_ROLE)
        ref_holder = _el(causality, "subject2", typeCode="SUBJ")
        reference = _el(ref_holder, "productUseReference", classCode="SBADM", moodCode="EVN")
        _el(reference, "id", root=drug_id)

    # H.4 sender's comments: what E2B has no coded field for (CTCAE grade, evolution on withdrawal).
    comments = []
    for sheet in sheets:
        line = f"{sheet.event_label} : grade CTCAE v5 {sheet.grade}"
        if sheet.dechallenge:
            line += f" ; évolution à l'arrêt : {sheet.dechallenge_label}"
        comments.append(line)
    comment_holder = _el(assessment, "component1", typeCode="COMP")
    comment = _el(comment_holder, "observationEvent", classCode="OBS", moodCode="EVN")
    _code(comment, "10", OID_OBSERVATION, "comment")
    _el(comment, "value", "\n".join(comments), xsi_type="ED")
    comment_author = _el(comment, "author", typeCode="AUT")
    comment_entity = _el(comment_author, "assignedEntity", classCode="ASSIGNED")
    _code(comment_entity, "3", OID_SOURCE_ROLE, "sender")

    # C.1.6.1 additional documents available; C.1.7 fulfil local criteria for an expedited report.
    for code, display, value in (
        ("1", "additionalDocumentsAvailable", "false"),
        ("23", "localCriteriaForExpedited", None),
    ):
        component = _el(event, "component", typeCode="COMP")
        obs = _el(component, "observationEvent", classCode="OBS", moodCode="EVN")
        _code(obs, code, OID_OBSERVATION, display)
        if value is None:
            _el(obs, "value", xsi_type="BL", nullFlavor="NI")
        else:
            _el(obs, "value", xsi_type="BL", value=value)

    # --- C.2 Primary source (the requester) ---
    source = _el(event, "outboundRelationship", typeCode="SPRT")
    _el(source, "priorityNumber", value="1")  # C.2.r.5 primary source for regulatory purposes
    related = _el(source, "relatedInvestigation", classCode="INVSTG", moodCode="EVN")
    _code(related, "2", OID_RELATIONSHIP, "sourceReport")
    related_subject = _el(related, "subjectOf2", typeCode="SUBJ")
    control = _el(related_subject, "controlActEvent", classCode="CACT", moodCode="EVN")
    author = _el(control, "author", typeCode="AUT")
    assigned = _el(author, "assignedEntity", classCode="ASSIGNED")
    if first.reporter_city:
        addr = _el(assigned, "addr")
        _el(addr, "city", first.reporter_city)  # C.2.r.2.5 reporter's city
    if first.reporter_phone:
        _el(assigned, "telecom", value=f"tel:{first.reporter_phone}")  # C.2.r.2.7 telephone
    if first.reporter_email:
        _el(assigned, "telecom", value=f"mailto:{first.reporter_email}")
    reporter = _el(assigned, "assignedPerson", classCode="PSN", determinerCode="INSTANCE")
    name = _el(reporter, "name")
    if first.reporter_title:
        _el(name, "prefix", first.reporter_title)  # C.2.r.1.1 title
    _el(name, "given", first.reporter_first_name)  # C.2.r.1.2 given name
    _el(name, "family", first.reporter_last_name)  # C.2.r.1.4 family name
    qualified = _el(reporter, "asQualifiedEntity", classCode="QUAL")
    _code(qualified, QUALIFICATION_PHYSICIAN, OID_QUALIFICATION)  # C.2.r.4 qualification: physician
    located = _el(reporter, "asLocatedEntity", classCode="LOCE")
    country = _el(located, "location", classCode="COUNTRY", determinerCode="INSTANCE")
    _el(country, "code", code="FR", codeSystem=OID_COUNTRY)  # C.2.r.3 reporter's country
    if first.reporter_centre:
        organisation = _el(assigned, "representedOrganization", classCode="ORG", determinerCode="INSTANCE")
        _el(organisation, "name", first.reporter_centre)  # C.2.r.2.1 reporter's organisation

    # C.1.8.2 first sender of this case: other than a regulator.
    initial = _el(event, "outboundRelationship", typeCode="SPRT")
    initial_report = _el(initial, "relatedInvestigation", classCode="INVSTG", moodCode="EVN")
    _code(initial_report, "1", OID_RELATIONSHIP, "initialReport")
    initial_subject = _el(initial_report, "subjectOf2", typeCode="SUBJ")
    initial_event = _el(initial_subject, "controlActEvent", classCode="CACT", moodCode="EVN")
    initial_author = _el(initial_event, "author", typeCode="AUT")
    initial_entity = _el(initial_author, "assignedEntity", classCode="ASSIGNED")
    _el(initial_entity, "code", code="2", codeSystem=OID_FIRST_SENDER)

    # --- C.3 Sender ---
    sender_holder = _el(event, "subjectOf1", typeCode="SUBJ")
    sender_event = _el(sender_holder, "controlActEvent", classCode="CACT", moodCode="EVN")
    sender_author = _el(sender_event, "author", typeCode="AUT")
    sender = _el(sender_author, "assignedEntity", classCode="ASSIGNED")
    _code(sender, SENDER_TYPE_CRPV, OID_SENDER_TYPE)  # C.3.1 sender type
    if sender_name:
        sender_person = _el(sender, "assignedPerson", classCode="PSN", determinerCode="INSTANCE")
        _el(_el(sender_person, "name"), "family", sender_name)  # C.3.3 person responsible for sending
    organisation = _el(sender, "representedOrganization", classCode="ORG", determinerCode="INSTANCE")
    _el(organisation, "name", sender_organisation)  # C.3.2 sender's organisation

    # C.1.3 type of report; C.1.9.1 other case identifiers in previous transmissions.
    for code, display, kind, attrs in (
        ("1", "ichReportType", "CE", {"code": REPORT_TYPE_SPONTANEOUS, "codeSystem": OID_REPORT_TYPE}),
        ("2", "otherCaseIds", "BL", {"value": "false"}),
    ):
        holder = _el(event, "subjectOf2", typeCode="SUBJ")
        characteristic = _el(holder, "investigationCharacteristic", classCode="OBS", moodCode="EVN")
        _code(characteristic, code, OID_CHARACTERISTIC, display)
        _el(characteristic, "value", xsi_type=kind, **attrs)
    _device(batch, "receiver", "RCV", OID_BATCH_RECEIVER, "ANSM")  # N.1.4 batch receiver identifier
    _device(batch, "sender", "SND", OID_BATCH_SENDER, "TIGRE")  # N.1.3 batch sender identifier
    return etree.tostring(batch, xml_declaration=True, encoding="UTF-8", pretty_print=True)
