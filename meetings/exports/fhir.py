"""A validated avis as one FHIR R4 Bundle (type "collection"), read-only.

Patient (INS identifier), Practitioners (RPPS), the organising establishment, the meeting as an Encounter, the board's
review as a Procedure, the recommendation as a CarePlan, each toxicity as an AdverseEvent (CTCAE v5 grade), the drugs
as Medications (ATC). Parsed strictly by the validator of shared/standards (tests/exports/test_fhir.py); the coding
choices are in docs/exports.md. Resources reference each other by their ``urn:uuid`` full URLs, stable for an avis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.models import Avis, Drug, Sex
from tigre.accounts.models import Centre, Title, User

from .frcp import CTCAE_GRADES, CTCAE_VERSION, SPECIALTY_CODES
from .selectors import ExportData, export_id, export_uuid

NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
ATC = "http://www.whocc.no/atc"
RPPS = "urn:oid:1.2.250.1.71.4.2.1"  # national identifier of a health professional: "8" + RPPS
STRUCTURE = "urn:oid:1.2.250.1.71.4.2.2"  # national identifier of a structure: "1" + FINESS
PROFESSION = "https://mos.esante.gouv.fr/NOS/TRE_A02-ProfessionSavFaire-CISIS/FHIR/TRE-A02-ProfessionSavFaire-CISIS"
CARE_MODE = "https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
# The grade of an adverse event (HL7 AdverseEvent Clinical Research IG); its value: the NCIt CTCAE grade concept.
AE_GRADE = "http://hl7.org/fhir/uv/ae-research-ig/StructureDefinition/ae-grade"
GENDERS: dict[str, str] = {Sex.FEMALE: "female", Sex.MALE: "male"}
SEVERITY_BY_GRADE = {1: "mild", 2: "moderate", 3: "severe", 4: "severe", 5: "severe"}


def _datetime(value: dt.datetime) -> str:
    return timezone.localtime(value).replace(microsecond=0).isoformat()


class _Bundle:
    def __init__(self, data: ExportData) -> None:
        self.data = data
        self.entries: list[dict[str, Any]] = []
        self.urls: dict[Any, str] = {}

    def url(self, *key: Any) -> str:
        if key not in self.urls:
            self.urls[key] = f"urn:uuid:{export_uuid('fhir', self.data.avis.pk, *key)}"
        return self.urls[key]

    def add(self, key: tuple[Any, ...], resource: dict[str, Any]) -> dict[str, str]:
        self.entries.append({"fullUrl": self.url(*key), "resource": resource})
        return {"reference": self.url(*key)}

    def known(self, key: tuple[Any, ...]) -> dict[str, str] | None:
        """The reference of a resource already in the bundle (each person, drug, place is there once)."""
        return {"reference": self.urls[key]} if key in self.urls else None

    # --- resources ---

    def patient(self) -> dict[str, str]:
        patient, ins = self.data.patient, self.data.ins
        names: list[dict[str, Any]] = [
            {"use": "official", "family": patient.birth_name.upper(), "given": patient.first_names.split()}
        ]
        if patient.used_name:
            names.append(
                {"use": "usual", "family": patient.used_name.upper(), "given": patient.first_names.split()[:1]}
            )
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "identifier": [
                {
                    "use": "official",
                    "type": {
                        "coding": [
                            {"system": V2_0203, "code": "NI", "display": "National unique individual identifier"}
                        ],
                        "text": ins.label,
                    },
                    "system": f"urn:oid:{ins.oid}",
                    "value": ins.value,
                }
            ],
            "name": names,
            "gender": GENDERS.get(patient.sex, "unknown"),
        }
        if patient.birth_date:
            resource["birthDate"] = patient.birth_date.isoformat()
        gp = patient.gp_name or patient.gp_mssante
        if gp:
            resource["generalPractitioner"] = [{"reference": self.url("general-practitioner")}]
        reference = self.add(("patient",), resource)
        if gp:
            self.general_practitioner()
        return reference

    def general_practitioner(self) -> dict[str, str]:
        patient = self.data.patient
        resource: dict[str, Any] = {
            "resourceType": "Practitioner",
            "name": [{"text": patient.gp_name or patient.gp_mssante}],
        }
        if patient.gp_mssante:
            resource["telecom"] = [{"system": "email", "value": patient.gp_mssante, "use": "work"}]
        return self.add(("general-practitioner",), resource)

    def practitioner(self, user: User) -> dict[str, str]:
        key = ("practitioner", user.pk)
        if (found := self.known(key)) is not None:
            return found
        name: dict[str, Any] = {"use": "official", "family": user.last_name.upper(), "given": [user.first_name]}
        if user.title in (Title.DR, Title.PR):
            name["prefix"] = [str(user.get_title_display())]
        resource: dict[str, Any] = {"resourceType": "Practitioner", "name": [name]}
        if user.rpps:
            resource["identifier"] = [
                {
                    "use": "official",
                    "type": {
                        "coding": [{"system": V2_0203, "code": "PRN", "display": "Provider number"}],
                        "text": "RPPS",
                    },
                    "system": RPPS,
                    "value": f"8{user.rpps}",
                }
            ]
        if user.mssante_address:
            resource["telecom"] = [{"system": "email", "value": user.mssante_address, "use": "work"}]
        coded = SPECIALTY_CODES.get(user.specialty)
        if user.specialty:
            qualification: dict[str, Any] = {"text": str(user.get_specialty_display())}
            if coded:
                qualification["coding"] = [{"system": PROFESSION, "code": coded[0], "display": coded[1]}]
            resource["qualification"] = [{"code": qualification}]
        return self.add(key, resource)

    def organisation(self, centre: Centre) -> dict[str, str]:
        resource: dict[str, Any] = {
            "resourceType": "Organization",
            "name": centre.name,
            "address": [{"city": centre.city}],
        }
        if centre.finess:
            resource["identifier"] = [{"system": STRUCTURE, "value": f"1{centre.finess}"}]
        return self.add(("organisation", centre.pk), resource)

    def medication(self, drug: Drug) -> dict[str, str]:
        if (found := self.known(("medication", drug.pk))) is not None:
            return found
        concept: dict[str, Any] = {"text": drug.name}
        if drug.atc_code:
            concept["coding"] = [{"system": ATC, "code": drug.atc_code, "display": drug.name}]
        return self.add(("medication", drug.pk), {"resourceType": "Medication", "code": concept})

    def encounter(self, patient: dict[str, str], organiser: dict[str, str]) -> dict[str, str]:
        meeting = self.data.meeting
        participants = [
            {
                "type": [{"coding": [{"system": PARTICIPATION, "code": "PPRF", "display": "primary performer"}]}],
                "individual": self.practitioner(user),
            }
            for user in self.data.coordinators
        ]
        participants += [
            {
                "type": [{"coding": [{"system": PARTICIPATION, "code": "PART", "display": "Participation"}]}],
                "individual": self.practitioner(row.user),
            }
            for row in self.data.participants
            if row.user not in self.data.coordinators
        ]
        resource: dict[str, Any] = {
            "resourceType": "Encounter",
            "identifier": [
                {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:{export_id('frcp', 'meeting', meeting.pk)}"}
            ],
            "status": "finished",
            "class": {"system": ACT_CODE, "code": "VR", "display": "virtual"},
            "type": [
                {
                    "coding": [
                        {
                            "system": CARE_MODE,
                            "code": "39",
                            "display": "Réunion de Concertation Pluridisciplinaire (RCP)",
                        }
                    ],
                    "text": "RCP TIGRE — Toxicités des immunothérapies en Grand Est",
                }
            ],
            "subject": patient,
            "period": {"start": _datetime(meeting.starts_at), "end": _datetime(meeting.ends_at)},
            "serviceProvider": organiser,
        }
        if participants:
            resource["participant"] = participants
        return self.add(("encounter",), resource)

    def adverse_event(self, tox: Any, patient: dict[str, str], encounter: dict[str, str]) -> dict[str, str]:
        term = tox.event.ctcae_term if tox.event.ctcae_term and tox.event.ctcae_term.lower() != "other" else ""
        grade_code, grade_display = CTCAE_GRADES[tox.grade]
        resource: dict[str, Any] = {
            "resourceType": "AdverseEvent",
            "extension": [
                {
                    "url": AE_GRADE,
                    "valueCodeableConcept": {
                        "coding": [{"system": NCIT, "code": grade_code, "display": grade_display}],
                        "text": f"CTCAE v{CTCAE_VERSION} grade {tox.grade}",
                    },
                }
            ],
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:{export_id('frcp', 'toxicity', tox.pk)}"},
            "actuality": "actual",
            "event": {"text": tox.event.label + (f" (CTCAE v{CTCAE_VERSION} : {term})" if term else "")},
            "subject": patient,
            "encounter": encounter,
            "date": tox.onset_date.isoformat(),
            "severity": {
                "coding": [{"system": SEVERITY, "code": SEVERITY_BY_GRADE[tox.grade]}],
                "text": f"CTCAE v{CTCAE_VERSION} grade {tox.grade}",
            },
            "recorder": self.practitioner(self.data.requester),
        }
        suspects = [{"instance": self.medication(drug)} for drug in self.data.drugs]
        if suspects:
            resource["suspectEntity"] = suspects
        return self.add(("adverse-event", tox.pk), resource)

    def procedure(self, patient: dict[str, str], encounter: dict[str, str]) -> dict[str, str]:
        data = self.data
        performers = [{"actor": self.practitioner(u)} for u in data.coordinators]
        if data.validated_by not in data.coordinators:
            performers.append({"actor": self.practitioner(data.validated_by)})
        resource: dict[str, Any] = {
            "resourceType": "Procedure",
            "status": "completed",
            "code": {
                "coding": [
                    {"system": CARE_MODE, "code": "39", "display": "Réunion de Concertation Pluridisciplinaire (RCP)"}
                ],
                "text": "Examen du dossier par la RCP TIGRE",
            },
            "subject": patient,
            "encounter": encounter,
            "performedDateTime": _datetime(data.meeting.starts_at),
            "performer": performers,
            "asserter": self.practitioner(data.requester),
            "outcome": {"text": "Avis validé"},
        }
        if data.case.question:
            resource["reasonCode"] = [{"text": data.case.question}]
        return self.add(("procedure",), resource)

    def care_plan(
        self, patient: dict[str, str], encounter: dict[str, str], events: list[dict[str, str]]
    ) -> dict[str, str]:
        data, avis = self.data, self.data.avis
        activities: list[dict[str, Any]] = []

        def activity(kind: str, text: str, *, product: dict[str, str] | None = None, **detail: Any) -> None:
            entry: dict[str, Any] = {"kind": kind, "code": {"text": text}, "status": "not-started", **detail}
            if product is not None:
                entry["productReference"] = product
            activities.append({"detail": entry})

        if avis.ici_decision:
            label = avis.get_ici_decision_display()
            if avis.rechallenge != Avis.Rechallenge.NOT_DISCUSSED:
                label += f" ; reprise ultérieure : {avis.get_rechallenge_display().lower()}"
            stop = avis.ici_decision in (Avis.IciDecision.HOLD, Avis.IciDecision.STOP)
            for drug in data.drugs:
                activity("MedicationRequest", label, product=self.medication(drug), doNotPerform=stop)
        if avis.steroids:
            activity("MedicationRequest", f"Corticothérapie {avis.steroids_dose}".strip())
        if avis.other_immunosuppressant:
            activity("MedicationRequest", avis.other_immunosuppressant)
        if avis.further_tests:
            activity("ServiceRequest", f"Examens complémentaires : {avis.further_tests}")
        if avis.hospitalisation:
            activity("ServiceRequest", "Hospitalisation")
        if avis.specialist_consultation:
            activity("ServiceRequest", f"Consultation spécialisée : {avis.specialist_consultation}")
        if avis.follow_up_date:
            activity("Appointment", "Réévaluation", scheduledString=avis.follow_up_date.isoformat())
        resource: dict[str, Any] = {
            "resourceType": "CarePlan",
            "identifier": [
                {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:{export_id('frcp', avis.pk, 'document', 1)}"}
            ],
            "status": "active",
            "intent": "proposal",  # a board's recommendation: the treating physician decides
            "title": f"Avis de la RCP TIGRE — {data.reference}",
            "description": avis.answer,
            "subject": patient,
            "encounter": encounter,
            "created": _datetime(data.validated_at),
            "author": self.practitioner(data.validated_by),
        }
        contributors = [self.practitioner(u) for u in data.contributors]
        if contributors:
            resource["contributor"] = contributors
        if events:
            resource["supportingInfo"] = events
        if activities:
            resource["activity"] = activities
        notes = [text for text in (avis.free_text,) if text]
        if avis.declare_pv:
            notes.append("Événement à déclarer à la pharmacovigilance (CRPV).")
        if notes:
            resource["note"] = [{"text": text} for text in notes]
        return self.add(("care-plan",), resource)

    def build(self) -> dict[str, Any]:
        data = self.data
        patient = self.patient()
        organiser = self.organisation(data.organiser)
        encounter = self.encounter(patient, organiser)
        self.procedure(patient, encounter)
        events = [self.adverse_event(tox, patient, encounter) for tox in data.toxicities]
        self.care_plan(patient, encounter, events)
        return {
            "resourceType": "Bundle",
            "identifier": {
                "system": "urn:ietf:rfc:3986",
                "value": f"urn:oid:{export_id('fhir', data.avis.pk, 'bundle')}",
            },
            "type": "collection",
            "timestamp": _datetime(data.validated_at),
            "entry": self.entries,
        }


def fhir_bundle(data: ExportData) -> dict[str, Any]:
    """The FHIR R4 Bundle of a validated avis (a JSON-ready dict)."""
    return _Bundle(data).build()
