"""The E2B(R3) export parsed back with lxml. Paths follow the HL7 ICSR structure of the ICH E2B(R3)
implementation guide; each check names the data element it verifies."""

from __future__ import annotations

import pytest
from lxml import etree

from cases.pharmacovigilance.cerfa import cerfa_sheet
from cases.pharmacovigilance.e2b import e2b_export
from cases.pharmacovigilance.models import Dechallenge, Outcome, Rechallenge
from cases.pharmacovigilance.selectors import case_follow_ups_for_export
from cases.pharmacovigilance.services import pv_declaration_save, pv_from_avis
from tests.factories.cases import ToxicityFactory
from tests.factories.pharmacovigilance import PvAvisFactory, full_case

pytestmark = pytest.mark.django_db

NS = {"hl7": "urn:hl7-org:v3", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
EVENT = "/hl7:MCCI_IN200100UV01/hl7:PORR_IN049016UV/hl7:controlActProcess/hl7:subject/hl7:investigationEvent"
ROLE = f"{EVENT}/hl7:component/hl7:adverseEventAssessment/hl7:subject1/hl7:primaryRole"
REACTION = f"{ROLE}/hl7:subjectOf2/hl7:observation[hl7:code/@code='29']"
DRUGS = f"{ROLE}/hl7:subjectOf2/hl7:organizer[hl7:code/@code='4']/hl7:component/hl7:substanceAdministration"
SOURCE = (
    f"{EVENT}/hl7:outboundRelationship[@typeCode='SPRT']/hl7:relatedInvestigation[hl7:code/@code='2']"
    "/hl7:subjectOf2/hl7:controlActEvent/hl7:author/hl7:assignedEntity"
)


def one(doc, path):
    found = doc.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0]


def _export(victor, *, narrative="Colite grade 3 <grave> & \"rectorragies\" 'sous' ICI", extra_toxicity=False):
    case, _toxicity = full_case()
    if extra_toxicity:
        ToxicityFactory(case=case, event__label="Hépatite", event__ctcae_term="Other", grade=2)
    avis = PvAvisFactory(case=case, declare_pv=True)
    follow_ups = pv_from_avis(avis=avis, by=victor)
    nivo, ipi = sorted(case.lines.get().drugs.all(), key=lambda d: d.name, reverse=True)
    pv_declaration_save(
        follow_up=follow_ups[0],
        by=victor,
        reaction={
            "serious": True,
            "hospitalisation": True,
            "life_threatening": True,
            "outcome": Outcome.RECOVERING,
            "dechallenge": Dechallenge.POSITIVE,
            "rechallenge": Rechallenge.NOT_DONE,
            "meddra_code": "10009887",
            "meddra_version": "27.1",
        },
        narrative=narrative,
        drugs={
            nivo.pk: {"route": "Intraveineuse", "dose": "1 mg/kg", "batch_numbers": "AB<12>&34", "action_taken": "1"},
            ipi.pk: {"route": "Intraveineuse", "dose": "3 mg/kg", "batch_numbers": "CD5678", "action_taken": "1"},
        },
    )
    sheets = [cerfa_sheet(follow_up=f) for f in case_follow_ups_for_export(case.pk)]
    xml = e2b_export(sheets=sheets, sender_organisation="RCP TIGRE & CRPV", sender_name="Victor Vidal")
    return case, xml


def test_export_is_well_formed_hl7_with_the_mandatory_elements(victor):
    case, xml = _export(victor)
    doc = etree.fromstring(xml)

    assert doc.tag == "{urn:hl7-org:v3}MCCI_IN200100UV01"
    # N.1.1 / N.1.2 / N.1.3 / N.1.4 / N.1.5 batch
    assert one(doc, "/hl7:MCCI_IN200100UV01/hl7:name").get("code") == "1"
    assert one(doc, "/hl7:MCCI_IN200100UV01/hl7:id").get("root") == "2.16.840.1.113883.3.989.2.1.3.22"
    assert one(doc, "/hl7:MCCI_IN200100UV01/hl7:sender/hl7:device/hl7:id").get("extension") == "TIGRE"
    assert one(doc, "/hl7:MCCI_IN200100UV01/hl7:receiver/hl7:device/hl7:id").get("extension") == "ANSM"
    assert len(one(doc, "/hl7:MCCI_IN200100UV01/hl7:creationTime").get("value")) >= 14
    # N.2.r.1 - N.2.r.4 message
    message = "/hl7:MCCI_IN200100UV01/hl7:PORR_IN049016UV"
    assert one(doc, f"{message}/hl7:id").get("root") == "2.16.840.1.113883.3.989.2.1.3.1"
    one(doc, f"{message}/hl7:sender/hl7:device/hl7:id")
    one(doc, f"{message}/hl7:receiver/hl7:device/hl7:id")
    one(doc, f"{message}/hl7:creationTime")
    # C.1.1 sender's safety report unique identifier; C.1.8.1 worldwide unique case number
    case_id = f"FR-{case.reference}"
    assert one(doc, f"{EVENT}/hl7:id[@root='2.16.840.1.113883.3.989.2.1.3.1']").get("extension") == case_id
    assert one(doc, f"{EVENT}/hl7:id[@root='2.16.840.1.113883.3.989.2.1.3.2']").get("extension") == case_id
    # C.1.2 creation, C.1.4 first received, C.1.5 most recent information
    one(doc, "/hl7:MCCI_IN200100UV01/hl7:PORR_IN049016UV/hl7:controlActProcess/hl7:effectiveTime")
    assert one(doc, f"{EVENT}/hl7:effectiveTime/hl7:low").get("value") == f"{case.submitted_at:%Y%m%d}"
    one(doc, f"{EVENT}/hl7:availabilityTime")
    # C.1.3 type of report: spontaneous
    report_type = one(doc, f"{EVENT}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='1']/hl7:value")
    assert (report_type.get("code"), report_type.get("codeSystem")) == ("1", "2.16.840.1.113883.3.989.2.1.1.2")
    # C.1.6.1 additional documents, C.1.7 local criteria for expedited report
    one(doc, f"{EVENT}/hl7:component/hl7:observationEvent[hl7:code/@code='1']/hl7:value")
    one(doc, f"{EVENT}/hl7:component/hl7:observationEvent[hl7:code/@code='23']/hl7:value")
    # C.1.8.2 first sender; C.1.9.1 other case identifiers
    one(
        doc,
        f"{EVENT}/hl7:outboundRelationship/hl7:relatedInvestigation[hl7:code/@code='1']//hl7:assignedEntity/hl7:code",
    )
    one(doc, f"{EVENT}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='2']/hl7:value")
    # C.3.1 sender type (regional PV centre), C.3.2 sender organisation (escaped &)
    sender = one(doc, f"{EVENT}/hl7:subjectOf1/hl7:controlActEvent/hl7:author/hl7:assignedEntity")
    assert one(sender, "hl7:code").get("code") == "4"
    assert one(sender, "hl7:representedOrganization/hl7:name").text == "RCP TIGRE & CRPV"
    assert b"RCP TIGRE &amp; CRPV" in xml


def test_primary_source_is_the_requester(victor):
    _case, xml = _export(victor)
    doc = etree.fromstring(xml)
    source = one(doc, SOURCE)
    assert (
        one(
            doc, f"{EVENT}/hl7:outboundRelationship[hl7:relatedInvestigation/hl7:code/@code='2']/hl7:priorityNumber"
        ).get("value")
        == "1"
    )  # C.2.r.5
    assert one(source, "hl7:assignedPerson/hl7:name/hl7:given").text == "Alice"  # C.2.r.1.2
    assert one(source, "hl7:assignedPerson/hl7:name/hl7:family").text == "Aubert"  # C.2.r.1.4
    assert one(source, "hl7:assignedPerson/hl7:asQualifiedEntity/hl7:code").get("code") == "1"  # C.2.r.4 physician
    assert one(source, "hl7:assignedPerson/hl7:asLocatedEntity/hl7:location/hl7:code").get("code") == "FR"  # C.2.r.3
    assert one(source, "hl7:representedOrganization/hl7:name").text == "CHU de Reims"  # C.2.r.2.1
    assert one(source, "hl7:addr/hl7:city").text == "Reims"  # C.2.r.2.5


def test_patient_section(victor):
    _case, xml = _export(victor)
    doc = etree.fromstring(xml)
    person = one(doc, f"{ROLE}/hl7:player1")
    assert one(person, "hl7:name").text == "LEF E"  # D.1
    assert one(person, "hl7:administrativeGenderCode").get("code") == "2"  # D.5 female (ISO 5218)
    assert one(person, "hl7:birthTime").get("value") == "19580412"  # D.2.1
    age = one(doc, f"{ROLE}/hl7:subjectOf2/hl7:observation[hl7:code/@code='3']/hl7:value")  # D.2.2
    assert (age.get("value"), age.get("unit"), age.get(f"{{{NS['xsi']}}}type")) == ("67", "a", "PQ")
    weight = one(doc, f"{ROLE}/hl7:subjectOf2/hl7:observation[hl7:code/@code='7']/hl7:value")  # D.3
    assert (weight.get("value"), weight.get("unit")) == ("61.5", "kg")
    height = one(doc, f"{ROLE}/hl7:subjectOf2/hl7:observation[hl7:code/@code='17']/hl7:value")  # D.4
    assert (height.get("value"), height.get("unit")) == ("164", "cm")
    history = one(
        doc, f"{ROLE}/hl7:subjectOf2/hl7:organizer[hl7:code/@code='1']/hl7:component/hl7:observation/hl7:value"
    )
    assert history.text == "Hypothyroïdie ancienne\nPsoriasis\nHTA"  # D.7.2


def test_reaction_with_meddra_seriousness_and_outcome(victor):
    _case, xml = _export(victor)
    doc = etree.fromstring(xml)
    reaction = one(doc, REACTION)
    value = one(reaction, "hl7:value")
    assert (value.get("code"), value.get("codeSystem"), value.get("codeSystemVersion")) == (
        "10009887",
        "2.16.840.1.113883.6.163",
        "27.1",
    )  # E.i.2.1a/b
    assert one(value, "hl7:originalText").text == "Colitis"  # E.i.1.1a reported term (CTCAE)
    assert one(reaction, "hl7:effectiveTime/hl7:low").get("value") == "20260301"  # E.i.4
    assert one(reaction, "hl7:location//hl7:code").get("code") == "FR"  # E.i.9

    def criterion(code):
        return one(reaction, f"hl7:outboundRelationship2/hl7:observation[hl7:code/@code='{code}']/hl7:value")

    assert criterion("33").get("value") == "true"  # E.i.3.2c hospitalisation
    assert criterion("21").get("value") == "true"  # E.i.3.2b life threatening
    for code in ("34", "35", "12", "26"):  # E.i.3.2a, d, e, f: not ticked -> nullFlavor NI
        assert (criterion(code).get("value"), criterion(code).get("nullFlavor")) == (None, "NI")
    outcome = criterion("27")  # E.i.7
    assert (outcome.get("code"), outcome.get("codeSystem")) == ("2", "2.16.840.1.113883.3.989.2.1.1.11")


def test_reaction_without_meddra_code_uses_the_ctcae_term(victor):
    _case, xml = _export(victor, extra_toxicity=True)
    doc = etree.fromstring(xml)
    reactions = doc.xpath(REACTION, namespaces=NS)
    assert len(reactions) == 2
    second = one(reactions[1], "hl7:value")
    assert (second.get("code"), second.get("nullFlavor")) == (None, "NI")
    assert one(second, "hl7:originalText").text == "Hépatite"  # CTCAE "Other": the event label
    assert (
        one(reactions[1], "hl7:outboundRelationship2/hl7:observation[hl7:code/@code='27']/hl7:value").get("code") == "0"
    )


def test_drugs_are_suspect_with_dosage_batch_and_action_taken(victor):
    _case, xml = _export(victor)
    doc = etree.fromstring(xml)
    drugs = doc.xpath(DRUGS, namespaces=NS)
    names = [one(d, "hl7:consumable/hl7:instanceOfKind/hl7:kindOfProduct/hl7:name").text for d in drugs]  # G.k.2.2
    assert sorted(names) == ["ipilimumab", "nivolumab"]
    nivo = drugs[names.index("nivolumab")]
    dosage = one(nivo, "hl7:outboundRelationship2/hl7:substanceAdministration")
    assert one(dosage, "hl7:effectiveTime/hl7:low").get("value") == "20260105"  # G.k.4.r.4
    assert one(dosage, "hl7:effectiveTime/hl7:high").get("value") == "20260216"  # G.k.4.r.5
    assert one(dosage, "hl7:routeCode/hl7:originalText").text == "Intraveineuse"  # G.k.4.r.10.1
    assert one(dosage, "hl7:text").text == "1 mg/kg"  # G.k.4.r.8
    lot = one(dosage, "hl7:consumable/hl7:instanceOfKind/hl7:productInstanceInstance/hl7:lotNumberText")
    assert lot.text == "AB<12>&34"  # G.k.4.r.7, escaped in the file
    assert b"AB&lt;12&gt;&amp;34" in xml
    assert one(nivo, "hl7:inboundRelationship[@typeCode='CAUS']/hl7:act/hl7:code").get("code") == "1"  # G.k.8
    indication = one(nivo, "hl7:inboundRelationship[@typeCode='RSON']/hl7:observation/hl7:value/hl7:originalText")
    assert indication.text.startswith("Mélanome")  # G.k.7.r.1
    recurrence = one(nivo, "hl7:outboundRelationship2/hl7:observation[hl7:code/@code='31']/hl7:value")
    assert recurrence.get("code") == "4"  # G.k.9.i.4 no rechallenge
    # G.k.1 characterisation of drug role: suspect, pointing at each drug
    nivo_id = one(nivo, "hl7:id").get("root")
    role = one(
        doc,
        f"{EVENT}/hl7:component/hl7:adverseEventAssessment/hl7:component/hl7:causalityAssessment"
        f"[hl7:subject2/hl7:productUseReference/hl7:id/@root='{nivo_id}']/hl7:value",
    )
    assert (role.get("code"), role.get("codeSystem")) == ("1", "2.16.840.1.113883.3.989.2.1.1.13")


def test_narrative_special_characters_are_escaped_and_round_trip(victor):
    narrative = "Colite grade 3 <grave> & \"rectorragies\" 'sous' ICI\x0b ; ß ü —"
    _case, xml = _export(victor, narrative=narrative)
    assert b"&lt;grave&gt; &amp;" in xml
    doc = etree.fromstring(xml)
    assert one(doc, f"{EVENT}/hl7:text").text == narrative.replace("\x0b", "")  # H.1


def test_sender_comment_carries_grade_and_dechallenge(victor):
    _case, xml = _export(victor)
    doc = etree.fromstring(xml)
    comment = one(
        doc,
        f"{EVENT}/hl7:component/hl7:adverseEventAssessment/hl7:component1/hl7:observationEvent"
        "[hl7:code/@code='10']/hl7:value",
    )  # H.4
    assert comment.text == "Colite : grade CTCAE v5 3 ; évolution à l'arrêt : Amélioration à l'arrêt ou la suspension"
