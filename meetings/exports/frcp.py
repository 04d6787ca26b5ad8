"""The FRCP: a validated avis as a CDA R2 level 3 "Fiche de RCP", volet CANCER-FRCP_2022.01 of the ANS CI-SIS.

``frcp_document(data, pdf=...)`` returns the XML. It follows the ANS's own examples of the volet (the transversal
and supportive-care RCP one is the model: TIGRE is a transversal board on toxicities) and validates with zero errors
against the CDA schema and the ANS schematron of the volet (tests/exports/test_frcp.py). Coding choices, what is
coded with the volet's value sets, what is said "unknown", and how CTCAE grades are coded where the volet has no
value set, are in docs/exports.md.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from django.utils import timezone
from lxml import etree

from cases.models import Avis, ImmunotherapyLine, Sex
from tigre.accounts.models import Centre, Title, User
from tigre.lib.specialties import Specialty

from . import cda
from .cda import (
    ACT_CODE,
    ATC,
    CIM10,
    LOINC,
    NCIT,
    OID_RPPS,
    OID_STRUCTURE,
    PROFESSION,
    SNOMED,
    TA_ASIP,
    TNM_UICC,
    bl,
    code,
    el,
    reference,
    table,
    templates,
    ts,
)
from .selectors import ExportData, export_id

VOLET_TEMPLATE = "1.2.250.1.213.1.1.1.8"
VOLET_VERSION = "2022.01"
DOCUMENT_CODE = ("34794-8", "CR de réunion de concertation pluridisciplinaire")

# TRE_A02 (ProfessionSavFaire-CISIS): a physician's ordinal specialty; what has no code is sent without one.
SPECIALTY_CODES: dict[str, tuple[str, str]] = {
    Specialty.ONCOLOGY: ("G15_10/SM36", "Médecin - Oncologie, opt médicale (SM)"),
    Specialty.DERMATOLOGY: ("G15_10/SM15", "Médecin - Dermatologie et Vénéréologie (SM)"),
    Specialty.GASTROENTEROLOGY: ("G15_10/SM24", "Médecin - Gastro-entérologie et hépatologie (SM)"),
    Specialty.HEPATOLOGY: ("G15_10/SM24", "Médecin - Gastro-entérologie et hépatologie (SM)"),
    Specialty.ENDOCRINOLOGY: ("G15_10/SM62", "Médecin - Endocrinologie, diabétologie, nutrition (SM)"),
    Specialty.PULMONOLOGY: ("G15_10/SM41", "Médecin - Pneumologie (SM)"),
    Specialty.CARDIOLOGY: ("G15_10/SM04", "Médecin - Cardiologie et maladies vasculaires (SM)"),
    Specialty.NEPHROLOGY: ("G15_10/SM30", "Médecin - Néphrologie (SM)"),
    Specialty.NEUROLOGY: ("G15_10/SM32", "Médecin - Neurologie (SM)"),
    Specialty.RHEUMATOLOGY: ("G15_10/SM48", "Médecin - Rhumatologie (SM)"),
    Specialty.INTERNAL_MEDICINE: ("G15_10/SM27", "Médecin - Médecine interne (SM)"),
    Specialty.HAEMATOLOGY: ("G15_10/SM21", "Médecin - Hématologie (SM)"),
    Specialty.OPHTHALMOLOGY: ("G15_10/SM38", "Médecin - Ophtalmologie (SM)"),
    Specialty.RADIOTHERAPY: ("G15_10/SM45", "Médecin - Radio-thérapie (SM)"),
    Specialty.GENERAL_PRACTICE: ("G15_10/SM54", "Médecin - Médecine Générale (SM)"),
}
# CTCAE grades are NCI Thesaurus concepts (the NCI publishes the CTCAE); the term itself travels as text.
CTCAE_VERSION = "5.0"
CTCAE_GRADES = {
    1: ("C41338", "Grade 1 Mild Adverse Event"),
    2: ("C41339", "Grade 2 Moderate Adverse Event"),
    3: ("C41340", "Grade 3 Severe Adverse Event"),
    4: ("C41337", "Grade 4 Life Threatening or Disabling Adverse Event"),
    5: ("C48275", "Grade 5 Death Related to Adverse Event"),
}
# JDV_OMSEchPerf_CISIS and JDV_OMSInterpret_CISIS, by WHO performance status.
WHO_STATUS = {
    0: (
        "MED-240",
        "LA9622-7",
        "Capable d'une activité identique à celle précédant la maladie sans aucune restriction.",
    ),
    1: ("MED-264", "LA9623-5", "Activité physique diminuée mais ambulatoire et capable de mener un travail"),
    2: (
        "MED-265",
        "LA9624-3",
        "Ambulatoire et capable de prendre soin de soi-même, incapable de travailler. Alité moins de 50 % de son temps",
    ),
    3: ("MED-266", "LA9625-0", "Capable seulement de quelques soins. Alité ou en chaise plus de 50 % du temps"),
    4: ("MED-267", "LA9626-8", "Incapable de prendre soins de soi-même. Alité ou en chaise en permanence"),
}
IMMUNOTHERAPY = ("C15262", "immunothérapie")  # JDV_TypeTraitement_FRCP_CISIS (NCIt)
OTHER_DRUG_TREATMENT = ("GEN-092.03.02", "Autre(s) traitement(s) médicamenteux spécifique(s)")
OTHER_TREATMENT = ("GEN-092.03.01", "Autre(s) traitement(s)")
LINE_STATUS: dict[str, str] = {  # FR-Acte statusCode: completed = déjà réalisé, active = en cours
    ImmunotherapyLine.LineStatus.ONGOING: "active",
    ImmunotherapyLine.LineStatus.HELD: "active",
    ImmunotherapyLine.LineStatus.STOPPED: "completed",
}
SEXES: dict[str, tuple[str, str]] = {Sex.FEMALE: ("F", "Féminin"), Sex.MALE: ("M", "Masculin")}
STAGE_GROUP = re.compile(r"^(0|I{1,3}|IV)([ABC][0-9]?)?$")
TNM_PART = re.compile(r"\b[cpy]*T([0-4X]|is)([a-d]?)\s*N([0-3X])([a-c]?)\s*M([01X])([a-c]?)\b", re.IGNORECASE)


class _Frcp:
    """One FRCP being written: the data, the document's root and its identifiers."""

    def __init__(self, data: ExportData, pdf: bytes) -> None:
        self.data = data
        self.pdf = pdf
        self.avis: Avis = data.avis
        self.doc = cda.root("ClinicalDocument")
        self.serial = 0

    # --- identifiers ---

    def new_id(self, parent: etree._Element, name: str) -> etree._Element:
        """The id of an entry: stable across exports of the same avis (docs/exports.md)."""
        return el(parent, "id", root=export_id("frcp", self.avis.pk, name))

    # --- people and organisations ---

    def organisation(self, parent: etree._Element, tag: str, centre: Centre | None) -> None:
        if centre is None:
            return
        org = el(parent, tag)
        if centre.finess:
            el(org, "id", root=OID_STRUCTURE, extension=f"1{centre.finess}")
        el(org, "name", centre.name)
        addr = el(org, "addr")
        el(addr, "city", centre.city)
        el(
            org,
            "standardIndustryClassCode",
            code="ETABLISSEMENT",
            displayName="Etablissement de santé",
            codeSystem="1.2.250.1.213.1.1.4.9",
        )

    def person_ids(self, parent: etree._Element, user: User) -> None:
        if user.rpps:
            el(parent, "id", root=OID_RPPS, extension=f"8{user.rpps}")
        else:  # not in the RPPS directory as far as TIGRE knows
            el(parent, "id", nullFlavor="NI")

    def specialty(self, parent: etree._Element, user: User) -> None:
        coded = SPECIALTY_CODES.get(user.specialty)
        if coded:
            code(parent, coded[0], PROFESSION, coded[1])

    def person_name(self, parent: etree._Element, user: User) -> None:
        name = el(parent, "name")
        el(name, "given", user.first_name)
        el(name, "family", user.last_name.upper())
        if user.title in (Title.DR, Title.PR):
            el(name, "suffix", user.get_title_display().upper())

    def professional(self, parent: etree._Element, user: User, *, entity: str, person: str, org: str) -> None:
        holder = el(parent, entity) if entity != "associatedEntity" else el(parent, entity, classCode="PROV")
        self.person_ids(holder, user)
        self.specialty(holder, user)
        if user.centre is not None:
            addr = el(holder, "addr")
            el(addr, "city", user.centre.city)
        if user.phone:
            el(holder, "telecom", value=f"tel:{re.sub(r'[^0-9+]', '', user.phone)}", use="WP")
        if user.mssante_address:
            el(holder, "telecom", value=f"mailto:{user.mssante_address}")
        self.person_name(el(holder, person), user)
        self.organisation(holder, org, user.centre)

    def header_participant(self, type_code: str, user: User, comment: str, function: tuple[str, str, str] | None):
        part = el(self.doc, "participant", typeCode=type_code)
        if function:
            fn = code(part, function[0], function[2], function[1], tag="functionCode")
        else:
            fn = el(part, "functionCode", nullFlavor="NA")
        el(fn, "originalText", comment)
        el(part, "time", nullFlavor="UNK")
        self.professional(part, user, entity="associatedEntity", person="associatedPerson", org="scopingOrganization")

    # --- header ---

    def header(self) -> None:
        data, doc = self.data, self.doc
        el(doc, "realmCode", code="FR")
        el(doc, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
        templates(doc, "2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1")
        el(doc, "templateId", root=VOLET_TEMPLATE, extension=VOLET_VERSION)
        el(doc, "id", root=export_id("frcp", self.avis.pk, "document", 1))
        code(doc, DOCUMENT_CODE[0], LOINC, DOCUMENT_CODE[1], system_name="LOINC")
        el(doc, "title", f"Fiche RCP — RCP TIGRE (toxicités des immunothérapies) — {data.reference}")
        el(doc, "effectiveTime", value=ts(data.validated_at))
        el(doc, "confidentialityCode", code="N", codeSystem=cda.CONFIDENTIALITY, displayName="Normal")
        el(doc, "languageCode", code="fr-FR")
        el(doc, "setId", root=export_id("frcp", self.avis.pk, "set"))
        el(doc, "versionNumber", value="1")

        # Patient: the qualified INS, the birth names, sex, birth date.
        patient = data.patient
        role = el(el(doc, "recordTarget"), "patientRole")
        el(role, "id", root=data.ins.oid, extension=data.ins.value)
        person = el(role, "patient", classCode="PSN")
        name = el(person, "name")
        el(name, "family", patient.birth_name.upper(), qualifier="BR")
        given = patient.first_names.strip()
        el(name, "given", given)
        el(name, "given", given.split()[0] if given else "", qualifier="BR")
        if patient.used_name:
            el(name, "family", patient.used_name.upper(), qualifier="CL")
        sex = SEXES.get(patient.sex)
        if sex:
            el(person, "administrativeGenderCode", code=sex[0], displayName=sex[1], codeSystem=cda.GENDER)
        else:
            el(person, "administrativeGenderCode", code="U", displayName="Inconnu", codeSystem=cda.GENDER)
        if patient.birth_date:
            el(person, "birthTime", value=ts(patient.birth_date))
        else:
            el(person, "birthTime", nullFlavor="UNK")

        # Author and legal authenticator: the coordinator who validated the avis.
        author = el(doc, "author")
        fn = code(author, "353", "1.2.250.1.213.1.6.1.107", "Membre de l'équipe de soins", tag="functionCode")
        el(fn, "originalText", "Coordinateur de la RCP ayant validé l'avis")
        el(author, "time", value=ts(data.validated_at))
        self.professional(
            author, data.validated_by, entity="assignedAuthor", person="assignedPerson", org="representedOrganization"
        )

        custodian = el(el(el(doc, "custodian"), "assignedCustodian"), "representedCustodianOrganization")
        if data.organiser.finess:
            el(custodian, "id", root=OID_STRUCTURE, extension=f"1{data.organiser.finess}")
        else:
            el(custodian, "id", nullFlavor="NI")
        el(custodian, "name", data.organiser.name)
        el(el(custodian, "addr"), "city", data.organiser.city)

        legal = el(doc, "legalAuthenticator")
        el(legal, "time", value=ts(data.validated_at))
        el(legal, "signatureCode", code="S")
        self.professional(
            legal, data.validated_by, entity="assignedEntity", person="assignedPerson", org="representedOrganization"
        )

        # Participants: coordinators (RESP), the requester (REFB), the GP (INF/PCP), those present (PRF).
        for coordinator in data.coordinators:
            self.header_participant("RESP", coordinator, "Coordonnateur de la RCP", None)
        self.header_participant("REFB", data.requester, "Médecin demandeur", None)
        self.general_practitioner()
        for row in data.participants:
            if row.in_quorum:
                function = ("353", "Membre de l'équipe de soins", "1.2.250.1.213.1.6.1.107")
                comment = "Participant du quorum"
            else:
                function = ("CORRE", "Correspondant", "1.2.250.1.213.1.1.4.2.280")
                comment = f"Participant hors quorum ({row.role_label})"
            self.header_participant("PRF", row.user, comment, function)

        order = el(el(doc, "inFulfillmentOf"), "order")
        el(order, "id", root=export_id("frcp", "inscription", data.item.pk))
        ordered = el(order, "code", nullFlavor="NA")
        el(ordered, "originalText", f"Demande {data.reference}, inscrite à la RCP du {self.meeting_day()}")

        # The act documented: the RCP, then the tumour's site.
        event = el(el(doc, "documentationOf"), "serviceEvent", classCode="ACT")
        rcp = code(
            event,
            "39",
            "1.2.250.1.213.3.3.13",
            "Réunion de Concertation Pluridisciplinaire (RCP)",
            system_name="TRE_R213-ModePriseEnCharge",
        )
        el(rcp, "originalText", "RCP TIGRE — Toxicités des immunothérapies en Grand Est")
        el(el(event, "effectiveTime"), "low", value=ts(data.meeting.starts_at))
        performer = el(event, "performer", typeCode="PRF")
        self.professional(
            performer,
            data.validated_by,
            entity="assignedEntity",
            person="assignedPerson",
            org="representedOrganization",
        )
        site = el(el(doc, "documentationOf"), "serviceEvent", classCode="ACT")
        case = data.case
        label = case.primary_site_label or case.primary_site or "Non renseignée"
        if case.primary_site:
            site_code = code(site, case.primary_site, CIM10, label, system_name="CIM-10")
        else:
            site_code = code(site, "GEN-243", TA_ASIP, "Topographie", system_name="TA_ASIP")
            el(site_code, "originalText", label)

        encounter = el(el(doc, "componentOf"), "encompassingEncounter")
        settings_ids = self.registry_ids()
        for oid, value in settings_ids:
            if value:
                el(encounter, "id", root=oid, extension=value)
            else:  # not given by the regional cancer network yet (docs/exports.md)
                el(encounter, "id", root=oid, nullFlavor="NI")
        el(encounter, "id", root=export_id("frcp", "meeting", data.meeting.pk))
        code(encounter, "VR", ACT_CODE, "Virtuelle (exemple : RCP en l'absence du patient)")
        el(el(encounter, "effectiveTime"), "low", value=ts(data.meeting.starts_at))
        facility = el(el(encounter, "location"), "healthCareFacility")
        if data.organiser.finess:
            el(facility, "id", root=OID_STRUCTURE, extension=f"1{data.organiser.finess}")
        place = el(facility, "location")
        el(place, "name", data.organiser.name)
        el(el(place, "addr"), "city", data.organiser.city)

    def registry_ids(self) -> list[tuple[str, str]]:
        from django.conf import settings

        conf = settings.EXPORTS
        return [
            ("1.2.250.1.161.1.20.1.1", conf.get("RRC_ID", "")),  # the regional cancer network
            ("1.2.250.1.161.1.20.2.1", conf.get("MANAGER_ID", "")),  # the RCP's manager
            ("1.2.250.1.161.1.20.3.1", conf.get("RCP_ID", "")),  # the RCP
        ]

    def general_practitioner(self) -> None:
        """The GP: mandatory in the FRCP, "no information" when the request names none."""
        patient = self.data.patient
        part = el(self.doc, "participant", typeCode="INF")
        fn = code(part, "PCP", "2.16.840.1.113883.5.88", "Médecin traitant", tag="functionCode")
        el(fn, "originalText", "Médecin traitant")
        el(part, "time", nullFlavor="UNK")
        if not (patient.gp_name or patient.gp_mssante):
            el(part, "associatedEntity", classCode="PROV", nullFlavor="NI")
            return
        entity = el(part, "associatedEntity", classCode="PROV")
        if patient.gp_mssante:
            el(entity, "telecom", value=f"mailto:{patient.gp_mssante}")
        el(el(entity, "associatedPerson"), "name", patient.gp_name or patient.gp_mssante)

    def meeting_day(self) -> str:
        return timezone.localtime(self.data.meeting.starts_at).strftime("%d/%m/%Y")

    # --- body ---

    def section(self, body: etree._Element, roots: tuple[str, ...], code_: tuple[str, str, str], title: str):
        section = el(el(body, "component"), "section")
        templates(section, *roots)
        self.new_id(section, f"section:{roots[-1]}")
        code(section, code_[0], code_[1], code_[2])
        el(section, "title", title)
        return section, el(section, "text")

    def simple_observation(
        self,
        parent: etree._Element,
        name: str,
        code_: tuple[str, str, str],
        text_id: str,
        *,
        effective: str | None = None,
        extra_template: str | None = None,
    ) -> etree._Element:
        obs = el(parent, "observation", classCode="OBS", moodCode="EVN")
        templates(obs, "1.3.6.1.4.1.19376.1.5.3.1.4.13", "1.2.250.1.213.1.1.3.48")
        if extra_template:
            templates(obs, extra_template)
        self.new_id(obs, name)
        code(obs, code_[0], code_[1], code_[2])
        reference(obs, text_id)
        el(obs, "statusCode", code="completed")
        if effective:
            el(obs, "effectiveTime", value=effective)
        else:
            el(obs, "effectiveTime", nullFlavor="NA")
        return obs

    def comment(self, parent: etree._Element, text_id: str, *, tag: str = "entryRelationship") -> None:
        holder = (
            el(parent, tag, typeCode="SUBJ", inversionInd="true")
            if tag == "entryRelationship"
            else el(parent, tag, typeCode="COMP")
        )
        act = el(holder, "act", classCode="ACT", moodCode="EVN")
        templates(act, "2.16.840.1.113883.10.20.1.40", "1.3.6.1.4.1.19376.1.5.3.1.4.2", "1.2.250.1.213.1.1.3.32")
        code(act, "48767-8", LOINC, "Commentaire")
        reference(act, text_id)
        el(act, "statusCode", code="completed")

    def reason_section(self, body: etree._Element) -> None:
        """FR-Raison-de-la-recommandation: a transversal RCP (supportive care), its reasons, the case's status."""
        data, case = self.data, self.data.case
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.3.1", "1.3.6.1.4.1.19376.1.5.3.1.3.2", "1.2.250.1.213.1.1.2.128"),
            ("42349-1", LOINC, "Raison de la recommandation"),
            "TYPE DE RCP / MOTIF DE LA RCP",
        )
        paediatric = data.age_at_meeting is not None and data.age_at_meeting < 18
        diagnostic = case.reason == "causality"
        table(
            text,
            ["Type de RCP", ""],
            [
                ["Nature de la discussion", ("nature-discussion", "RCP Transversale et de soins de support")],
                ["Traitement / Soins", ("traitement-soins", "Soins de support (toxicités des immunothérapies)")],
                ["RCP de recours", ("rcp-recours", "Non")],
                ["RCP pédiatrique", ("rcp-pediatrique", cda.yes_no(paediatric))],
            ],
        )
        reason = case.get_reason_display() if case.reason else "Non renseigné"
        if case.reason_detail:
            reason += f" — {case.reason_detail}"
        table(
            text,
            ["Motif de la RCP", ""],
            [
                ["Motif de la demande", ("motif-rcp", reason)],
                ["Avis diagnostique (imputabilité)", ("avis-diagnostique", cda.yes_no(diagnostic))],
                ["Proposition thérapeutique (dont surveillance, ajustement du traitement)", ("proposition", "Oui")],
                ["Recours", ("recours", "Non")],
                ["Pédiatrique", ("pediatrique", cda.yes_no(paediatric))],
                ["Statut du cas présenté", ("statut-cas", "Cas discuté")],
                ["Urgence", ("urgence", "Urgente (TAG)" if case.is_urgent else "Standard")],
                ["Question posée à la RCP", ("raison", case.question or "Non renseignée")],
            ],
        )
        when = ts(timezone.localdate(data.meeting.starts_at))
        nature = self.simple_observation(
            el(section, "entry"), "nature", ("GEN-098", TA_ASIP, "Nature de la discussion"), "nature-discussion"
        )
        code(nature, "ORG-132", TA_ASIP, "RCP Transversale et de soins de support", tag="value").set(cda.XSI_TYPE, "CD")
        kind = self.simple_observation(
            el(nature, "entryRelationship", typeCode="SUBJ"),
            "traitement-soins",
            ("ORG-138", TA_ASIP, "Traitement / Soins"),
            "traitement-soins",
        )
        code(kind, "C15747", NCIT, "Soins de support", tag="value").set(cda.XSI_TYPE, "CD")
        for name, code_, text_id, value in (
            ("rcp-recours", ("ORG-184", TA_ASIP, "RCP de recours"), "rcp-recours", False),
            ("rcp-pediatrique", ("ORG-185", TA_ASIP, "RCP pédiatrique"), "rcp-pediatrique", paediatric),
        ):
            bl(self.simple_observation(el(kind, "entryRelationship", typeCode="REFR"), name, code_, text_id), value)
        motive = self.simple_observation(
            el(nature, "entryRelationship", typeCode="SUBJ"),
            "motif",
            ("ORG-186", TA_ASIP, "Motif de la RCP"),
            "motif-rcp",
        )
        el(motive, "value", xsi_type="CD", nullFlavor="NA")
        for name, code_, text_id, value in (
            ("avis-diagnostique", ("MED-235", TA_ASIP, "Avis diagnostique"), "avis-diagnostique", diagnostic),
            (
                "proposition",
                ("ORG-114", TA_ASIP, "Proposition de traitement (dont ajustement et surveillance)"),
                "proposition",
                True,
            ),
            ("recours", ("ORG-115", TA_ASIP, "Recours"), "recours", False),
            ("pediatrique", ("ORG-116", TA_ASIP, "Pédiatrie"), "pediatrique", paediatric),
        ):
            obs = self.simple_observation(
                el(motive, "entryRelationship", typeCode="REFR"), name, code_, text_id, effective=when
            )
            bl(obs, value)
        status = self.simple_observation(
            el(motive, "entryRelationship", typeCode="REFR"),
            "statut-cas",
            ("ORG-127", TA_ASIP, "Statut du cas présenté"),
            "statut-cas",
        )
        code(status, "ORG-134", TA_ASIP, "Cas discuté", tag="value").set(cda.XSI_TYPE, "CD")

        problem = el(el(section, "entry"), "observation", classCode="OBS", moodCode="EVN", negationInd="false")
        templates(problem, "2.16.840.1.113883.10.20.1.28", "1.3.6.1.4.1.19376.1.5.3.1.4.5", "1.2.250.1.213.1.1.3.37")
        self.new_id(problem, "raison")
        code(problem, "55607006", SNOMED, "problème", system_name="SNOMED CT")
        reference(problem, "raison")
        el(problem, "statusCode", code="completed")
        el(el(problem, "effectiveTime"), "low", value=ts(case.submitted_at or data.meeting.starts_at))
        value = el(problem, "value", xsi_type="CD", nullFlavor="NA")
        reference(value, "raison", tag="originalText")

    def events_section(self, body: etree._Element) -> None:
        """FR-Resultats-evenements: how the cancer was found (not asked by TIGRE: unknown), and the toxicities of the
        immunotherapy with their CTCAE v5 grade (docs/exports.md for the coding)."""
        data = self.data
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9", "1.3.6.1.4.1.19376.1.7.3.1.1.13.7", "1.2.250.1.213.1.1.2.163"),
            ("42545-4", LOINC, "Evènements observés"),
            "ÉVÉNEMENTS : MODE DE DÉCOUVERTE DU CANCER, TOXICITÉS DE L'IMMUNOTHÉRAPIE",
        )
        table(
            text, ["Mode de découverte du cancer", ""], [["Patient issu du dépistage", ("depistage", "Non renseigné")]]
        )
        rows: list[list[cda.Cell]] = []
        for n, tox in enumerate(data.toxicities, start=1):
            term = tox.event.ctcae_term if tox.event.ctcae_term and tox.event.ctcae_term.lower() != "other" else ""
            rows.append(
                [
                    (f"tox-{n}", tox.event.label + (f" (CTCAE : {term})" if term else "")),
                    tox.event.category.label,
                    (f"tox-{n}-grade", f"Grade {tox.grade} (CTCAE v{CTCAE_VERSION})"),
                    tox.onset_date.strftime("%d/%m/%Y"),
                    "Oui" if tox.pre_existing else "Non",
                    (f"tox-{n}-description", tox.description or "—"),
                ]
            )
        table(
            text,
            ["Toxicité (EILI)", "Organe", "Grade", "Apparition", "Préexistante", "Description"],
            rows,
        )
        screening = self.simple_observation(
            el(section, "entry"), "depistage", ("63921-1", LOINC, "Dépistage du Cancer"), "depistage"
        )
        bl(screening, None)  # TIGRE does not ask how the cancer was found
        for n, tox in enumerate(data.toxicities, start=1):
            obs = el(el(section, "entry"), "observation", classCode="OBS", moodCode="EVN", negationInd="false")
            templates(obs, "2.16.840.1.113883.10.20.1.28", "1.3.6.1.4.1.19376.1.5.3.1.4.5", "1.2.250.1.213.1.1.3.37")
            self.new_id(obs, f"toxicity:{tox.pk}")
            code(obs, "55607006", SNOMED, "problème", system_name="SNOMED CT")
            reference(obs, f"tox-{n}")
            el(obs, "statusCode", code="completed")
            el(el(obs, "effectiveTime"), "low", value=ts(tox.onset_date))
            # No value set of the volet (nor MedDRA code in TIGRE) for the event: said "other", named in the text.
            value = el(obs, "value", xsi_type="CD", nullFlavor="OTH")
            reference(value, f"tox-{n}", tag="originalText")
            # IHE PCC Severity entry: the CTCAE grade as its NCI Thesaurus concept.
            severity = el(
                el(obs, "entryRelationship", typeCode="SUBJ", inversionInd="true"),
                "observation",
                classCode="OBS",
                moodCode="EVN",
            )
            templates(severity, "2.16.840.1.113883.10.20.1.55", "1.3.6.1.4.1.19376.1.5.3.1.4.1")
            code(severity, "SEV", ACT_CODE, "Sévérité")
            reference(severity, f"tox-{n}-grade")
            el(severity, "statusCode", code="completed")
            grade_code, grade_display = CTCAE_GRADES[tox.grade]
            grade = code(severity, grade_code, NCIT, grade_display, tag="value", system_name="NCI Thesaurus")
            grade.set(cda.XSI_TYPE, "CD")
            reference(grade, f"tox-{n}-grade", tag="originalText")
            if tox.description:
                self.comment(obs, f"tox-{n}-description")

    def cancer_section(self, body: etree._Element) -> None:
        """FR-Diagnostic-du-cancer: site (CIM-10), histology (free text), stage and TNM as far as they are known."""
        case = self.data.case
        section, text = self.section(
            body,
            (
                "2.16.840.1.113883.10.20.1.11",
                "1.3.6.1.4.1.19376.1.5.3.1.3.6",
                "1.3.6.1.4.1.19376.1.7.3.1.3.14.1",
                "1.2.250.1.213.1.1.2.27",
            ),
            ("72135-7", LOINC, "Diagnostic du cancer"),
            "TUMEUR",
        )
        stage = case.stage.strip()
        tnm = TNM_PART.search(stage) if stage else None
        group = STAGE_GROUP.match(stage.upper()) if stage else None
        site = f"{case.primary_site_label or 'Non renseignée'}" + (
            f" [{case.primary_site}]" if case.primary_site else ""
        )
        table(
            text,
            ["Tumeur primitive", ""],
            [
                [
                    "Date du diagnostic initial",
                    case.diagnosis_date.strftime("%m/%Y") if case.diagnosis_date else "Non renseignée",
                ],
                ["Topographie", ("topographie", site)],
                ["Morphologie", ("morphologie", case.histology or "Non renseignée")],
                ["Stade", ("stade", stage or "Non renseigné")],
                ["TNM (T)", ("tnm-t", f"T{tnm.group(1)}{tnm.group(2)}" if tnm else "Non renseigné")],
                ["TNM (N)", ("tnm-n", f"N{tnm.group(3)}{tnm.group(4)}" if tnm else "Non renseigné")],
                ["TNM (M)", ("tnm-m", f"M{tnm.group(5)}{tnm.group(6)}" if tnm else "Non renseigné")],
            ],
        )
        concern = el(el(section, "entry"), "act", classCode="ACT", moodCode="EVN")
        templates(
            concern,
            "2.16.840.1.113883.10.20.1.27",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5.1",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5.2",
            "1.2.250.1.213.1.1.3.39",
            "1.2.250.1.213.1.1.3.39.1",
        )
        self.new_id(concern, "cancer:concern")
        el(concern, "code", nullFlavor="NA")
        el(concern, "statusCode", code="active")
        period = el(concern, "effectiveTime")
        if case.diagnosis_date:
            el(period, "low", value=case.diagnosis_date.strftime("%Y%m"))
        else:
            el(period, "low", nullFlavor="UNK")
        diagnosis = el(
            el(concern, "entryRelationship", typeCode="SUBJ", inversionInd="false"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
            negationInd="false",
        )
        templates(
            diagnosis,
            "2.16.840.1.113883.10.20.1.28",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5",
            "1.2.250.1.213.1.1.3.37",
            "1.3.6.1.4.1.19376.1.7.3.1.4.14.1",
            "1.2.250.1.213.1.1.3.113",
        )
        self.new_id(diagnosis, "cancer:diagnosis")
        code(diagnosis, "282291009", SNOMED, "interprétation diagnostique", system_name="SNOMED CT")
        reference(diagnosis, "topographie")
        el(diagnosis, "statusCode", code="completed")
        period = el(diagnosis, "effectiveTime")
        if case.diagnosis_date:
            el(period, "low", value=case.diagnosis_date.strftime("%Y%m"))
        else:
            el(period, "low", nullFlavor="UNK")
        # Morphology: TIGRE keeps the histology as free text, not a CIM-O code (JDV_Morphologie): "other".
        morphology = el(diagnosis, "value", xsi_type="CD", nullFlavor="OTH")
        reference(morphology, "morphologie", tag="originalText")
        # Site: the CIM-10 code when the request gives one (JDV_Tumeur_CISIS), else "other" and the text.
        if case.primary_site:
            target = code(diagnosis, case.primary_site, CIM10, case.primary_site_label, tag="targetSiteCode")
        else:
            target = el(diagnosis, "targetSiteCode", nullFlavor="OTH")
        reference(target, "topographie", tag="originalText")
        staging = el(
            el(diagnosis, "entryRelationship", typeCode="SUBJ", inversionInd="false"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
            negationInd="false",
        )
        templates(staging, "1.3.6.1.4.1.19376.1.7.3.1.4.14.2")
        code(staging, "75620-5", LOINC, "Stade TNM Clinique", system_name="LOINC")
        reference(staging, "stade")
        el(staging, "statusCode", code="completed")
        el(staging, "effectiveTime", nullFlavor="UNK")
        staged = el(staging, "value", xsi_type="CD")
        reference(staged, "stade", tag="originalText")
        if group:
            qualifier = el(staged, "qualifier")
            code(qualifier, "21909-7", LOINC, "Stade clinique", tag="name")
            code(qualifier, group.group(0), TNM_UICC, "", tag="value", system_name="TNM_UICC").set(cda.XSI_TYPE, "CD")
        for part, loinc, display, groups in (
            ("t", "21905-5", "TNM Clinique T", (1, 2)),
            ("n", "21906-3", "TNM Clinique N", (3, 4)),
            ("m", "21907-1", "TNM Clinique M", (5, 6)),
        ):
            obs = self.simple_observation(
                el(staging, "entryRelationship", typeCode="COMP"), f"tnm-{part}", (loinc, LOINC, display), f"tnm-{part}"
            )
            if tnm:
                value = part.upper() + tnm.group(groups[0]) + tnm.group(groups[1]).lower()
                code(obs, value, TNM_UICC, "", tag="value", system_name="TNM_UICC").set(cda.XSI_TYPE, "CD")
            else:  # the request's stage does not say T, N and M
                el(obs, "value", xsi_type="CD", nullFlavor="UNK")

    def free_text_section(
        self,
        body: etree._Element,
        roots: tuple[str, ...],
        code_: tuple[str, str, str],
        title: str,
        rows: list[list[cda.Cell]],
    ) -> None:
        _section, text = self.section(body, roots, code_, title)
        table(text, [], rows)

    def context_sections(self, body: etree._Element) -> None:
        case = self.data.case
        history: list[list[cda.Cell]] = [
            [label, text]
            for label, text in (("Antécédents", case.history), ("Maladies auto-immunes", case.autoimmune_history))
            if text
        ]
        if history:
            self.free_text_section(
                body,
                ("1.2.250.1.213.1.1.2.2",),
                ("11348-0", LOINC, "Antécédents médicaux"),
                "ANTÉCÉDENTS MÉDICAUX",
                history,
            )
        if case.comorbidities:
            self.free_text_section(
                body,
                ("1.2.250.1.213.1.1.2.176",),
                ("11450-4", LOINC, "Liste des problèmes actifs"),
                "COMORBIDITÉS",
                [["Comorbidités", case.comorbidities]],
            )
        if case.performance_status is not None:
            self.functional_status_section(body, case.performance_status)
        if case.key_results:
            self.free_text_section(
                body,
                ("1.3.6.1.4.1.19376.1.5.3.1.3.27", "1.2.250.1.213.1.1.2.150"),
                ("30954-2", LOINC, "Résultats d'examens"),
                "ÉLÉMENTS PARACLINIQUES",
                [["Résultats clés (biologie, imagerie)", case.key_results]],
            )

    def functional_status_section(self, body: etree._Element, status: int) -> None:
        section, text = self.section(
            body,
            (
                "2.16.840.1.113883.10.20.1.5",
                "1.3.6.1.4.1.19376.1.5.3.1.3.17",
                "1.3.6.1.4.1.19376.1.5.3.1.1.12.2.1",
                "1.2.250.1.213.1.1.2.111",
            ),
            ("47420-5", LOINC, "Évaluation du statut fonctionnel"),
            "ÉVALUATION DU STATUT FONCTIONNEL",
        )
        scale, interpretation, meaning = WHO_STATUS[status]
        table(text, ["Échelle de performance OMS", ""], [[("performance-oms", f"OMS {status}"), meaning]])
        # The pain subsection is mandatory in the section and carries nothing in a FRCP (the ANS example).
        pain = el(el(section, "component"), "section")
        templates(pain, "1.3.6.1.4.1.19376.1.5.3.1.1.12.2.2", "1.2.250.1.213.1.1.2.112")
        self.new_id(pain, "section:pain")
        code(pain, "38208-5", LOINC, "Sévérité de la douleur")
        el(pain, "title", "Évaluation de la douleur")
        paragraph_text = el(pain, "text")
        cda.paragraph(paragraph_text, "Non évaluée par la RCP.", id_="douleur")
        obs = el(el(pain, "entry"), "observation", classCode="OBS", moodCode="EVN")
        templates(obs, "1.3.6.1.4.1.19376.1.5.3.1.4.13", "1.3.6.1.4.1.19376.1.5.3.1.1.12.3.1", "1.2.250.1.213.1.1.3.89")
        self.new_id(obs, "douleur")
        code(obs, "38208-5", LOINC, "Sévérité de la douleur")
        reference(obs, "douleur")
        el(obs, "statusCode", code="completed")
        el(obs, "effectiveTime", nullFlavor="UNK")
        el(obs, "value", xsi_type="CO", nullFlavor="UNK")
        physical = el(el(section, "component"), "section")
        templates(physical, "1.3.6.1.4.1.19376.1.5.3.1.1.12.2.5", "1.2.250.1.213.1.1.2.115")
        self.new_id(physical, "section:physical")
        code(physical, "46006-3", LOINC, "Problèmes physiques fonctionnels et structurels")
        el(physical, "title", "Échelle de performance OMS")
        table(el(physical, "text"), [], [[("oms", f"OMS {status}")]])
        who = el(el(physical, "entry"), "observation", classCode="OBS", moodCode="EVN", negationInd="false")
        templates(
            who,
            "2.16.840.1.113883.10.20.1.31",
            "1.3.6.1.4.1.19376.1.5.3.1.4.13",
            "1.3.6.1.4.1.19376.1.5.3.1.1.12.3.6",
            "1.2.250.1.213.1.1.3.25",
        )
        self.new_id(who, "oms")
        code(who, "MED-239", TA_ASIP, "Echelle de performance OMS")
        reference(who, "oms")
        el(who, "statusCode", code="completed")
        el(who, "effectiveTime", value=ts(self.data.case.submitted_at or self.data.meeting.starts_at))
        code(who, scale, TA_ASIP, f"Echelle de performance OMS Stade {status}", tag="value").set(cda.XSI_TYPE, "CD")
        code(who, interpretation, LOINC, meaning, tag="interpretationCode")

    def progress_section(self, body: etree._Element) -> None:
        """FR-Note-de-progression: the phase and progression of the cancer, which TIGRE does not ask: unknown."""
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.7", "1.2.250.1.213.1.1.2.25"),
            ("18733-6", LOINC, "Note de progression"),
            "PHASE CLINIQUE DE LA MALADIE",
        )
        setting = ", ".join(sorted({line.get_setting_display() for line in self.data.lines})) or "Non renseignée"
        table(
            text,
            ["Phase et progression du cancer", ""],
            [
                ["Phase", ("phase", "Non renseignée")],
                ["Progression", ("progression", "Non renseignée")],
                ["Situation de l'immunothérapie", setting],
            ],
        )
        phase = self.simple_observation(el(section, "entry"), "phase", ("MED-243", TA_ASIP, "Phase du cancer"), "phase")
        phase.find(f"{{{cda.HL7}}}effectiveTime").set("nullFlavor", "UNK")
        el(phase, "value", xsi_type="CD", nullFlavor="UNK")
        progression = self.simple_observation(
            el(section, "entry"), "progression", ("MED-245", TA_ASIP, "Progression du cancer"), "progression"
        )
        progression.find(f"{{{cda.HL7}}}effectiveTime").set("nullFlavor", "UNK")
        bl(progression, None)

    def treatments_section(self, body: etree._Element) -> None:
        """FR-Actes-et-interventions: each immunotherapy line (type C15262 of the volet), its drugs with ATC codes."""
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11", "1.2.250.1.213.1.1.2.118"),
            ("29554-3", LOINC, "Actes"),
            "TRAITEMENTS PASSÉS OU EN COURS : IMMUNOTHÉRAPIE",
        )
        rows: list[list[cda.Cell]] = []
        for n, line in enumerate(self.data.lines, start=1):
            drugs = " + ".join(f"{d.name} ({d.atc_code or 'ATC non renseigné'})" for d in line.drugs.all())
            rows.append(
                [
                    (f"ligne-{n}", f"Immunothérapie : {drugs}"),
                    f"{line.get_regimen_display()}, {line.get_setting_display()}",
                    line.start_date.strftime("%d/%m/%Y"),
                    line.last_dose_date.strftime("%d/%m/%Y") if line.last_dose_date else "—",
                    str(line.cycles or "—"),
                    line.get_status_display(),
                    (f"ligne-{n}-posologie", line.dose or "—"),
                ]
            )
        table(text, ["Traitement", "Schéma", "Début", "Dernière dose", "Cycles", "Statut", "Posologie"], rows)
        for n, line in enumerate(self.data.lines, start=1):
            procedure = el(el(section, "entry"), "procedure", classCode="PROC", moodCode="EVN", negationInd="false")
            templates(
                procedure, "1.3.6.1.4.1.19376.1.5.3.1.4.19", "2.16.840.1.113883.10.20.1.29", "1.2.250.1.213.1.1.3.62"
            )
            self.new_id(procedure, f"line:{line.pk}")
            code(procedure, IMMUNOTHERAPY[0], NCIT, IMMUNOTHERAPY[1], system_name="NCIT")
            reference(procedure, f"ligne-{n}")
            el(procedure, "statusCode", code=LINE_STATUS.get(line.status, "active"))
            period = el(procedure, "effectiveTime")
            el(period, "low", value=ts(line.start_date))
            if line.last_dose_date and line.last_dose_date > line.start_date:
                el(period, "high", value=ts(line.last_dose_date))
            for drug in line.drugs.all():
                self.drug(procedure, line, drug, n)

    def drug(self, procedure: etree._Element, line: ImmunotherapyLine, drug: Any, n: int) -> None:
        """FR-Traitement: a drug of the line, coded with its ATC code (the INN when it has none)."""
        given = el(
            el(procedure, "entryRelationship", typeCode="COMP"),
            "substanceAdministration",
            classCode="SBADM",
            moodCode="EVN",
        )
        templates(given, "2.16.840.1.113883.10.20.1.24", "1.3.6.1.4.1.19376.1.5.3.1.4.7", "1.2.250.1.213.1.1.3.42")
        self.new_id(given, f"line:{line.pk}:drug:{drug.pk}")
        reference(given, f"ligne-{n}")
        el(given, "statusCode", code="completed")
        period = el(given, "effectiveTime", xsi_type="IVL_TS")
        el(period, "low", value=ts(line.start_date))
        if line.last_dose_date and line.last_dose_date > line.start_date:
            el(period, "high", value=ts(line.last_dose_date))
        product = el(el(given, "consumable"), "manufacturedProduct")
        templates(product, "1.3.6.1.4.1.19376.1.5.3.1.4.7.2", "2.16.840.1.113883.10.20.1.53", "1.2.250.1.213.1.1.3.43")
        material = el(product, "manufacturedMaterial")
        if drug.atc_code:
            coded = code(material, drug.atc_code, ATC, drug.name, system_name="ATC")
        else:
            coded = el(material, "code", nullFlavor="OTH")
        el(coded, "originalText", drug.name)
        el(material, "name", drug.name)

    def history_section(self, body: etree._Element) -> None:
        """FR-Histoire-de-la-maladie-non-code: the case as presented and the question asked."""
        case = self.data.case
        management = []
        for tox in self.data.toxicities:
            parts = tox.management_parts
            if parts:
                management.append(f"{tox.event.label} : " + " ; ".join(parts))
        rows = [
            ["Question posée à la RCP", case.question or "Non renseignée"],
            ["Cancer", self.data.fiche["cancer"]["summary"] or "Non renseigné"],
            ["Prise en charge déjà réalisée", "\n".join(management) or "Non renseignée"],
        ]
        if case.urgent_opinion:
            rows.append(["Avis urgent donné avant la réunion", case.urgent_opinion])
        self.free_text_section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.3.4", "1.2.250.1.213.1.1.2.130"),
            ("10164-2", LOINC, "Histoire de la maladie"),
            "SYNTHÈSE DU CAS PRÉSENTÉ ET QUESTION POSÉE À LA RCP",
            rows,
        )

    def file_status_section(self, body: etree._Element) -> None:
        """FR-Statut-dossier-RCP: file complete (a request is discussed once complete), quorum."""
        data = self.data
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.33",),
            ("21874-3", LOINC, "Statut du dossier présenté en RCP"),
            "STATUT DU DOSSIER PRÉSENTÉ À LA RCP",
        )
        present = ", ".join(row.user.display_name for row in data.participants) or "Feuille de présence non renseignée"
        comment = f"Spécialités présentes : {', '.join(data.quorum_specialties) or 'aucune'}. Présents : {present}."
        if data.organs_without_referent:
            comment += f" Organe(s) sans référent présent : {', '.join(data.organs_without_referent)}."
        table(
            text,
            ["Statut du dossier présenté à la RCP", ""],
            [
                ["Dossier complet", ("dossier-complet", "Oui")],
                ["Quorum", ("quorum", "Quorum atteint" if data.quorum_ok else "Quorum non atteint")],
                ["Commentaire", ("commentaire-dossier", comment)],
            ],
        )
        organizer = el(el(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        templates(organizer, "1.2.250.1.213.1.1.3.7")
        code(organizer, "GEN-099", TA_ASIP, "Information RCP")
        el(organizer, "statusCode", code="completed")
        complete = self.simple_observation(
            el(organizer, "component"), "dossier-complet", ("GEN-100", TA_ASIP, "Dossier complet"), "dossier-complet"
        )
        bl(complete, True)  # a request reaches the agenda once complete (docs/domain.md#the-request)
        quorum = self.simple_observation(
            el(organizer, "component"), "quorum", ("ORG-125", TA_ASIP, "Quorum RCP"), "quorum"
        )
        if data.quorum_ok:
            code(quorum, "ORG-126", TA_ASIP, "Quorum atteint", tag="value").set(cda.XSI_TYPE, "CD")
        else:
            code(quorum, "ORG-133", TA_ASIP, "Quorum non atteint", tag="value").set(cda.XSI_TYPE, "CD")
        self.comment(organizer, "commentaire-dossier", tag="component")

    def care_plan_section(self, body: etree._Element) -> None:
        """FR-Plan-de-soins: the board's proposal: the immunotherapy decision, the treatments, tests, follow-up."""
        avis = self.avis
        section, text = self.section(
            body,
            ("2.16.840.1.113883.10.20.1.10", "1.3.6.1.4.1.19376.1.5.3.1.3.36", "1.2.250.1.213.1.1.2.158"),
            ("18776-5", LOINC, "Plan de soins"),
            "PROPOSITION DE LA RCP",
        )
        cda.paragraph(text, avis.answer, id_="reponse")
        proposals: list[tuple[str, tuple[str, str], str, bool]] = []  # (text id, code, text, negated)
        if avis.ici_decision:
            negated = avis.ici_decision in (Avis.IciDecision.HOLD, Avis.IciDecision.STOP)
            label = avis.get_ici_decision_display()
            if avis.rechallenge != Avis.Rechallenge.NOT_DISCUSSED:
                label += f" ; reprise ultérieure : {avis.get_rechallenge_display().lower()}"
            proposals.append(("proposition-ici", IMMUNOTHERAPY, label, negated))
        if avis.steroids:
            proposals.append(
                (
                    "proposition-corticoides",
                    OTHER_DRUG_TREATMENT,
                    f"Corticothérapie {avis.steroids_dose}".strip(),
                    False,
                )
            )
        if avis.other_immunosuppressant:
            proposals.append(
                ("proposition-immunosuppresseur", OTHER_DRUG_TREATMENT, avis.other_immunosuppressant, False)
            )
        if avis.hospitalisation:
            proposals.append(("proposition-hospitalisation", OTHER_TREATMENT, "Hospitalisation", False))
        table(
            text,
            ["Proposition(s) thérapeutique(s)", "Type de traitement"],
            [[(text_id, label), kind[1]] for text_id, kind, label, _negated in proposals],
        )
        requests: list[tuple[str, str, Any]] = []
        if avis.further_tests:
            requests.append(("examens", f"Examens complémentaires : {avis.further_tests}", None))
        if avis.specialist_consultation:
            requests.append(("consultation", f"Consultation spécialisée : {avis.specialist_consultation}", None))
        if avis.follow_up_date:
            requests.append(("reevaluation", "Réévaluation", avis.follow_up_date))
        table(
            text,
            ["Examens, avis spécialisés et surveillance", "Date souhaitée"],
            [[(text_id, label), when.strftime("%d/%m/%Y") if when else "—"] for text_id, label, when in requests],
        )
        comments = [avis.free_text] if avis.free_text else []
        if avis.declare_pv:
            comments.append("Événement à déclarer à la pharmacovigilance (CRPV).")
        cda.paragraph(text, "\n".join(comments) or "Pas de commentaire.", id_="commentaire-proposition")
        for text_id, kind, _label, negated in proposals:
            procedure = el(
                el(section, "entry"),
                "procedure",
                classCode="PROC",
                moodCode="INT",
                negationInd="true" if negated else "false",
            )
            templates(
                procedure, "1.3.6.1.4.1.19376.1.5.3.1.4.19", "2.16.840.1.113883.10.20.1.25", "1.2.250.1.213.1.1.3.62"
            )
            self.new_id(procedure, text_id)
            coded = code(procedure, kind[0], NCIT if kind[0].startswith("C") else TA_ASIP, kind[1])
            reference(coded, text_id, tag="originalText")
            reference(procedure, text_id)
            el(procedure, "statusCode", code="active")
            el(el(procedure, "effectiveTime"), "low", value=ts(timezone.localdate(self.data.meeting.starts_at)))
        for text_id, _label, when in requests:
            obs = el(el(section, "entry"), "observation", classCode="OBS", moodCode="PRP")
            templates(
                obs, "2.16.840.1.113883.10.20.1.25", "1.3.6.1.4.1.19376.1.5.3.1.1.20.3.1", "1.2.250.1.213.1.1.3.27"
            )
            self.new_id(obs, text_id)
            code(obs, "ORG-064", TA_ASIP, "Demande d'examen ou de suivi")
            reference(obs, text_id)
            el(obs, "statusCode", code="active")
            if when:
                el(el(obs, "effectiveTime"), "low", value=ts(when))
        act = el(el(section, "entry"), "act", classCode="ACT", moodCode="EVN")
        templates(act, "2.16.840.1.113883.10.20.1.40", "1.3.6.1.4.1.19376.1.5.3.1.4.2", "1.2.250.1.213.1.1.3.32")
        code(act, "48767-8", LOINC, "Commentaire")
        reference(act, "reponse")
        el(act, "statusCode", code="completed")
        el(act, "effectiveTime", value=ts(self.data.validated_at))

    def framework_section(self, body: etree._Element) -> None:
        """FR-Cadre-de-la-proposition-therapeutique: conformity to a guideline (which one) and inclusion in a trial,
        as the avis records them (``Avis.conformity``; docs/domain.md#fiche-rcp); unknown when not said."""
        avis = self.avis
        conformity = avis.conformity
        conforming: dict[str, bool] = {Avis.Conformity.CONFORMING: True, Avis.Conformity.NOT_CONFORMING: False}
        conforms = conforming.get(conformity)
        in_trial = None if not conformity else conformity == Avis.Conformity.TRIAL
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.175",),
            ("35510-7", LOINC, "Essais cliniques - Informations générales"),
            "CADRE DE LA PROPOSITION THÉRAPEUTIQUE",
        )
        guideline_row: list[Any] = [
            "Proposition conforme à un référentiel de pratique clinique",
            ("referentiel", cda.yes_no(conforms)),
        ]
        if avis.conformity_reference:
            guideline_row.append(("nom-referentiel", avis.conformity_reference))
        trial_row: list[Any] = [
            "Proposition d'inclusion dans un essai clinique",
            ("essai-clinique", cda.yes_no(in_trial)),
        ]
        if avis.trial_name:
            trial_row.append(avis.trial_name)
        table(text, ["Cadre de la proposition thérapeutique", "", ""], [guideline_row, trial_row])
        remark = avis.conformity_reason or (f"Essai clinique : {avis.trial_name}" if avis.trial_name else "")
        if remark:
            cda.paragraph(text, remark, id_="commentaire-cadre-proposition")
        guideline = self.simple_observation(
            el(section, "entry"),
            "referentiel",
            ("MED-249", TA_ASIP, "Recommandation/référentiel de pratique clinique"),
            "referentiel",
        )
        if avis.conformity_reference:
            reference(el(guideline, "value", xsi_type="CD"), "nom-referentiel", tag="originalText")
        else:
            el(guideline, "value", xsi_type="CD", nullFlavor="UNK")
        trial = self.simple_observation(
            el(section, "entry"),
            "essai-clinique",
            ("MED-250", TA_ASIP, "Proposition d'inclusion dans un essai clinique"),
            "essai-clinique",
        )
        bl(trial, in_trial)
        if remark:
            act = el(el(section, "entry"), "act", classCode="ACT", moodCode="EVN")
            templates(act, "2.16.840.1.113883.10.20.1.40", "1.3.6.1.4.1.19376.1.5.3.1.4.2", "1.2.250.1.213.1.1.3.32")
            code(act, "48767-8", LOINC, "Commentaire")
            reference(act, "commentaire-cadre-proposition")
            el(act, "statusCode", code="completed")
            el(act, "effectiveTime", value=ts(self.data.validated_at))

    def document_status_section(self, body: etree._Element) -> None:
        """FR-Statut-du-document: approved (validated by the meeting's coordinators)."""
        data = self.data
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.35",),
            ("33557-0", LOINC, "Etat d'achèvement"),
            "STATUT DU DOCUMENT",
        )
        when = timezone.localtime(data.validated_at)
        table(
            text,
            [],
            [
                ["Statut du document", ("statut-document", "Validé (approuvé)")],
                ["Date du statut du document", when.strftime("%d/%m/%Y %H:%M")],
                ["Validé par", data.validated_by.display_name],
            ],
        )
        obs = self.simple_observation(
            el(section, "entry"),
            "statut-document",
            ("GEN-065", TA_ASIP, "Statut du document"),
            "statut-document",
            effective=ts(data.validated_at),
            extra_template="1.2.250.1.213.1.1.3.48.16",
        )
        code(obs, "9571008", SNOMED, "approuvé", tag="value", system_name="SNOMED CT").set(cda.XSI_TYPE, "CD")

    def pdf_section(self, body: etree._Element) -> None:
        """FR-Document-PDF-copie (CI-SIS): the signed fiche as printed, the human-readable copy of this document."""
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.243",),
            ("GEN-311", TA_ASIP, "Document PDF copie"),
            "COPIE PDF DU DOCUMENT",
        )
        p = el(text, "paragraph")
        p.text = "Fiche RCP signée (PDF) : "
        el(p, "renderMultiMedia", referencedObject="fiche-pdf")
        organizer = el(el(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        templates(organizer, "1.2.250.1.213.1.1.3.18")
        self.new_id(organizer, "pdf")
        code(organizer, "55107-7", LOINC, "Document attaché")
        el(organizer, "statusCode", code="completed")
        kind = self.simple_observation(
            el(organizer, "component"),
            "pdf:type",
            ("69764-9", LOINC, "Type de document"),
            "fiche-pdf-type",
            extra_template="1.2.250.1.213.1.1.3.48.18",
        )
        kind_value = code(kind, DOCUMENT_CODE[0], LOINC, DOCUMENT_CODE[1], tag="value")
        kind_value.set(cda.XSI_TYPE, "CD")
        reference(kind_value, "fiche-pdf-type", tag="originalText")
        media = el(el(organizer, "component"), "observationMedia", classCode="OBS", moodCode="EVN", ID="fiche-pdf")
        self.new_id(media, "pdf:media")
        value = el(media, "value", mediaType="application/pdf", representation="B64")
        value.text = base64.b64encode(self.pdf).decode("ascii")
        # The narrative must hold the references the entries use.
        el(p, "content", ID="fiche-pdf-type").text = " (fiche RCP)"

    def build(self) -> bytes:
        self.header()
        body = el(el(self.doc, "component"), "structuredBody")
        self.reason_section(body)
        self.events_section(body)
        self.cancer_section(body)
        self.context_sections(body)
        self.progress_section(body)
        self.treatments_section(body)
        self.history_section(body)
        self.file_status_section(body)
        self.care_plan_section(body)
        self.framework_section(body)
        self.document_status_section(body)
        if self.pdf:
            self.pdf_section(body)
        return cda.tostring(self.doc)


def frcp_document(data: ExportData, *, pdf: bytes = b"") -> bytes:
    """The FRCP of a validated avis (CDA R2 N3, CANCER-FRCP_2022.01), the fiche PDF embedded when given."""
    return _Frcp(data, pdf).build()
