"""The FHIR R4 Bundle of a validated avis: parsed strictly by the validator of shared/standards, then read back
through the FHIR models (INS, RPPS, CTCAE grade and version, ATC codes)."""

from __future__ import annotations

import json

import pytest

from cases.models import Patient
from meetings.exports.fhir import AE_GRADE, NCIT, fhir_bundle
from meetings.exports.selectors import ExportRefused, avis_export_data
from tests.exports.conftest import INS
from tests.exports.standards import validate_fhir, validator

pytestmark = pytest.mark.django_db


def resources(bundle, kind):
    return [entry.resource for entry in bundle.entry if entry.resource.__resource_type__ == kind]


def test_the_bundle_is_valid_r4_and_carries_ins_rpps_ctcae_and_atc(board):
    bundle_json = fhir_bundle(avis_export_data(board.avis))
    report = validate_fhir(json.loads(json.dumps(bundle_json)))
    assert report.ok, report.format()

    validator("validate_fhir")  # puts shared/standards on the path; its engine: the R4B models of fhir.resources
    from fhir.resources.R4B.bundle import Bundle

    bundle = Bundle.model_validate(bundle_json)
    assert bundle.type == "collection"
    (patient,) = resources(bundle, "Patient")
    (ins,) = patient.identifier
    assert (ins.system, ins.value, ins.type.text) == ("urn:oid:1.2.250.1.213.1.4.10", INS, "INS-NIR")
    assert patient.gender == "female" and str(patient.birthDate) == "1958-04-12"

    rpps = {i.value for p in resources(bundle, "Practitioner") for i in (p.identifier or [])}
    assert {"810100000025", "810001234567", "810100000033"} <= rpps
    assert all(
        i.system == "urn:oid:1.2.250.1.71.4.2.1"
        for p in resources(bundle, "Practitioner")
        for i in (p.identifier or [])
    )

    (event,) = resources(bundle, "AdverseEvent")
    (grade,) = [e for e in event.extension if e.url == AE_GRADE]
    coding = grade.valueCodeableConcept.coding[0]
    assert (coding.system, coding.code) == (NCIT, "C41340")
    assert grade.valueCodeableConcept.text == "CTCAE v5.0 grade 3"
    assert event.severity.coding[0].code == "severe"
    assert "Colitis" in event.event.text and "v5.0" in event.event.text
    assert str(event.date) == "2026-03-01"

    atc = {m.code.coding[0].code for m in resources(bundle, "Medication")}
    assert atc == {"L01FF01", "L01FX04"}
    suspects = {s.instance.reference for s in event.suspectEntity}
    assert suspects == {e.fullUrl for e in bundle.entry if e.resource.__resource_type__ == "Medication"}

    (encounter,) = resources(bundle, "Encounter")
    assert encounter.status == "finished" and encounter.class_fhir.code == "VR"
    (procedure,) = resources(bundle, "Procedure")
    assert (
        procedure.status == "completed"
        and procedure.encounter.reference
        == bundle.entry[[e.resource.__resource_type__ for e in bundle.entry].index("Encounter")].fullUrl
    )
    (plan,) = resources(bundle, "CarePlan")
    assert plan.intent == "proposal" and plan.description.startswith("Colite immuno-induite")
    held = [a.detail for a in plan.activity if a.detail.productReference]
    assert held and all(d.doNotPerform for d in held)  # the ICIs are held
    assert plan.supportingInfo[0].reference == next(
        e.fullUrl for e in bundle.entry if e.resource.__resource_type__ == "AdverseEvent"
    )


def test_every_reference_points_into_the_bundle(board):
    bundle = fhir_bundle(avis_export_data(board.avis))
    urls = {entry["fullUrl"] for entry in bundle["entry"]}

    def references(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "reference":
                    yield value
                else:
                    yield from references(value)
        elif isinstance(node, list):
            for item in node:
                yield from references(item)

    found = set(references(bundle))
    assert found and found <= urls


def test_a_broken_bundle_fails_the_strict_parse(board):
    bundle = fhir_bundle(avis_export_data(board.avis))
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    patient["gender"] = "femme"
    assert not validate_fhir(bundle).ok


def test_an_unqualified_identity_gives_no_bundle(board):
    Patient.objects.filter(pk=board.case.patient_id).update(ins_status=Patient.InsStatus.VALIDATED)
    with pytest.raises(ExportRefused):
        fhir_bundle(avis_export_data(board.avis))
