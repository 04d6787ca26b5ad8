"""The FRCP (CDA R2 N3, CI-SIS volet CANCER-FRCP_2022.01) validated by the ANS schematron and the CDA schema of
shared/standards, read back, refused for an identity that is not qualified, and broken on purpose."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from lxml import etree

from cases.models import Avis, Patient
from meetings import demo_session
from meetings.exports import demo as exports_demo
from meetings.exports.frcp import frcp_document
from meetings.exports.selectors import ExportRefused, avis_export_data
from meetings.exports.services import fiche_pdf_bytes
from referents.demo import load_centres, load_referents
from tests.exports.conftest import INS
from tests.exports.standards import validate_frcp
from tigre.accounts.demo import load as load_accounts

pytestmark = pytest.mark.django_db
NS = {"cda": "urn:hl7-org:v3", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
PDF = b"%PDF-1.7\n% fiche de test\n%%EOF\n"
SECTIONS = {  # the sections the volet makes mandatory, by template id
    "1.3.6.1.4.1.19376.1.5.3.1.3.2": "FR-Raison-de-la-recommandation",
    "1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9": "FR-Resultats-evenements",
    "1.3.6.1.4.1.19376.1.7.3.1.3.14.1": "FR-Diagnostic-du-cancer",
    "1.2.250.1.213.1.1.2.25": "FR-Note-de-progression",
    "1.3.6.1.4.1.19376.1.5.3.1.3.4": "FR-Histoire-de-la-maladie-non-code",
    "1.3.6.1.4.1.19376.1.5.3.1.3.36": "FR-Plan-de-soins",
    "1.2.250.1.213.1.1.2.175": "FR-Cadre-de-la-proposition-therapeutique",
    "1.2.250.1.213.1.1.2.33": "FR-Statut-dossier-RCP",
    "1.2.250.1.213.1.1.2.35": "FR-Statut-du-document",
}


def xpath(doc, path):
    return doc.xpath(path, namespaces=NS)


def section(doc, template):
    (found,) = xpath(doc, f"//cda:section[cda:templateId/@root='{template}']")
    return found


def test_the_fiche_validates_with_zero_errors_and_says_what_the_avis_says(board):
    xml = frcp_document(avis_export_data(board.avis), pdf=PDF)

    report = validate_frcp(xml)
    assert report.ok, report.format()
    assert report.errors == [] and report.fired_rules > 0

    doc = etree.fromstring(xml)
    assert xpath(doc, "/cda:ClinicalDocument/cda:code/@code") == ["34794-8"]
    assert xpath(doc, "/cda:ClinicalDocument/cda:templateId[@root='1.2.250.1.213.1.1.1.8']/@extension") == ["2022.01"]
    for template in SECTIONS:
        section(doc, template)
    # The patient by the qualified INS; invented identities carry the test OID of an INS-NIR.
    (patient_id,) = xpath(doc, "//cda:recordTarget/cda:patientRole/cda:id")
    assert (patient_id.get("root"), patient_id.get("extension")) == ("1.2.250.1.213.1.4.10", INS)
    assert xpath(doc, "//cda:patient/cda:name/cda:family[@qualifier='BR']/text()") == ["LEFÈVRE-DUPONT"]
    # The validating coordinator signs, with his RPPS ("8" + RPPS); participants with theirs where known.
    assert xpath(doc, "//cda:legalAuthenticator/cda:assignedEntity/cda:id/@extension") == ["810100000025"]
    quorum = xpath(doc, "//cda:participant[@typeCode='PRF'][cda:functionCode/@code='353']")
    rpps = {p.xpath("string(cda:associatedEntity/cda:id/@extension)", namespaces=NS) for p in quorum}
    assert {"810100000025", "810100000033"} <= rpps
    assert xpath(doc, "//cda:participant[@typeCode='PRF']//cda:id[@nullFlavor='NI']")  # the cardiologist: no RPPS
    assert xpath(doc, "//cda:participant[@typeCode='REFB']/cda:associatedEntity/cda:id/@extension") == ["810001234567"]
    assert xpath(doc, "//cda:participant[@typeCode='INF']//cda:telecom/@value") == [
        "mailto:jean.moreau@medecin.mssante.fr"
    ]
    # Nature of the discussion, quorum status, the document's status: the volet's value sets.
    assert xpath(doc, "//cda:observation[cda:code/@code='GEN-098']/cda:value/@code") == ["ORG-132"]
    assert xpath(doc, "//cda:observation[cda:code/@code='ORG-125']/cda:value/@code") == ["ORG-126"]
    assert xpath(doc, "//cda:observation[cda:code/@code='GEN-065']/cda:value/@code") == ["9571008"]
    # The toxicity with its CTCAE v5 grade as an NCI Thesaurus concept; the ICIs with their ATC codes.
    (grade,) = xpath(doc, "//cda:observation[cda:code/@code='SEV']/cda:value")
    assert (grade.get("code"), grade.get("codeSystem")) == ("C41340", "2.16.840.1.113883.3.26.1.1")
    assert "Colitis" in "".join(xpath(doc, "//cda:content[@ID='tox-1']/text()"))
    assert sorted(xpath(doc, "//cda:manufacturedMaterial/cda:code/@code")) == ["L01FF01", "L01FX04"]
    assert xpath(
        doc, "//cda:section[cda:templateId/@root='1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11']//cda:procedure/cda:code/@code"
    ) == ["C15262"]
    # The proposal: hold the ICI (a negated intent), steroids, infliximab; TNM read from the stage.
    plan = section(doc, "1.3.6.1.4.1.19376.1.5.3.1.3.36")
    ici = plan.xpath("cda:entry/cda:procedure[cda:code/@code='C15262']", namespaces=NS)
    assert [p.get("negationInd") for p in ici] == ["true"]
    assert xpath(doc, "//cda:observation[cda:code/@code='21905-5']/cda:value/@code") == ["T3b"]
    assert xpath(doc, "//cda:observation[cda:code/@code='21907-1']/cda:value/@code") == ["M0"]
    # The signed PDF, embedded as the document's human-readable copy.
    (media,) = xpath(doc, "//cda:observationMedia/cda:value")
    assert media.get("mediaType") == "application/pdf" and base64.b64decode(media.text) == PDF


@pytest.mark.parametrize(
    ("fields", "said", "in_trial"),
    [
        ({"conformity": "conforming", "conformity_reference": "ESMO 2022, colite"}, "ESMO 2022, colite", "false"),
        ({"conformity": "trial", "trial_name": "ESSAI-IRAE-01"}, "Essai clinique : ESSAI-IRAE-01", "true"),
        ({"conformity": "not_conforming", "conformity_reason": "Sujet âgé"}, "Sujet âgé", "false"),
    ],
)
def test_the_framework_section_says_the_conformity_the_avis_records(board, fields, said, in_trial):
    Avis.objects.filter(pk=board.avis.pk).update(**fields)
    xml = frcp_document(avis_export_data(Avis.objects.get(pk=board.avis.pk)), pdf=PDF)
    report = validate_frcp(xml)
    assert report.ok, report.format()
    framework = section(etree.fromstring(xml), "1.2.250.1.213.1.1.2.175")
    assert said in "".join(framework.itertext())
    (trial,) = xpath(framework, ".//cda:observation[cda:code/@code='MED-250']/cda:value/@value")
    assert trial == in_trial


def test_the_same_avis_gives_the_same_document(board):
    data = avis_export_data(board.avis)
    assert frcp_document(data, pdf=PDF) == frcp_document(avis_export_data(board.avis), pdf=PDF)


@pytest.mark.parametrize("template", ["1.2.250.1.213.1.1.2.35", "1.3.6.1.4.1.19376.1.5.3.1.3.36"])
def test_a_fiche_with_a_mandatory_section_removed_fails_with_the_ans_message(board, template):
    doc = etree.fromstring(frcp_document(avis_export_data(board.avis), pdf=PDF))
    broken = copy.deepcopy(doc)
    component = section(broken, template).getparent()
    component.getparent().remove(component)

    report = validate_frcp(etree.tostring(broken))
    assert not report.ok
    assert any(SECTIONS[template] in issue.message for issue in report.errors), report.format()


def test_an_element_out_of_the_cda_schema_fails(board):
    doc = etree.fromstring(frcp_document(avis_export_data(board.avis), pdf=PDF))
    etree.SubElement(doc.find("cda:recordTarget", NS), "{urn:hl7-org:v3}favouriteColour").text = "bleu"
    report = validate_frcp(etree.tostring(doc))
    assert not report.ok and any(issue.source == "xsd" for issue in report.errors)


@pytest.mark.parametrize(
    "status",
    [s for s in Patient.InsStatus.values if s != Patient.InsStatus.QUALIFIED],
)
def test_an_identity_that_is_not_qualified_is_refused_with_the_reason(board, status):
    Patient.objects.filter(pk=board.case.patient_id).update(ins_status=status)
    with pytest.raises(ExportRefused) as refused:
        avis_export_data(board.avis)
    (reason,) = refused.value.reasons
    assert "n'est pas qualifiée" in reason and str(Patient.InsStatus(status).label) in reason


def test_a_qualified_identity_without_ins_is_refused(board):
    Patient.objects.filter(pk=board.case.patient_id).update(ins="")
    with pytest.raises(ExportRefused, match="ne porte pas l'INS"):
        avis_export_data(board.avis)


def test_a_draft_avis_is_not_exported(board):
    Avis.objects.filter(pk=board.avis.pk).update(state=Avis.State.DRAFT)
    with pytest.raises(ExportRefused, match="validé"):
        avis_export_data(board.avis)


def test_a_nia_and_a_real_identity_get_their_own_oids(board):
    nia = "7580454123456"
    from tigre.lib.validators import ins_key

    Patient.objects.filter(pk=board.case.patient_id).update(ins=f"{nia}{ins_key(nia):02d}")
    assert avis_export_data(board.avis).ins.oid == "1.2.250.1.213.1.4.11"
    with override_settings(EXPORTS={**settings.EXPORTS, "TEST_IDENTITIES": False}):
        assert avis_export_data(board.avis).ins.oid == "1.2.250.1.213.1.4.9"


def test_a_sparse_request_still_validates_and_says_what_is_unknown(board, cora):
    """No GP, no stage, no diagnosis date, no performance status, sex unknown, a coordinator without RPPS nor
    centre (the organiser then comes from the settings), a drug without ATC code, text with markup and controls."""
    from tests.factories.cases import DrugFactory

    case = board.case
    patient = case.patient
    Patient.objects.filter(pk=patient.pk).update(gp_name="", gp_mssante="", sex="U", used_name="")
    case.__class__.objects.filter(pk=case.pk).update(
        stage="",
        diagnosis_date=None,
        performance_status=None,
        primary_site="",
        history="",
        comorbidities="",
        autoimmune_history="",
        key_results="",
        question="Grade 4 <script>alert(1)</script> & \x07 « ? »",
    )
    case.lines.first().drugs.add(DrugFactory(name="anti-PD-1 d'essai", atc_code=""))
    Avis.objects.filter(pk=board.avis.pk).update(ici_decision="", validated_by=cora)
    with override_settings(EXPORTS={**settings.EXPORTS, "ORGANISER_FINESS": "540002078"}):
        xml = frcp_document(avis_export_data(Avis.objects.get(pk=board.avis.pk)), pdf=b"")

    report = validate_frcp(xml)
    assert report.ok, report.format()
    doc = etree.fromstring(xml)
    assert xpath(doc, "//cda:participant[@typeCode='INF']/cda:associatedEntity/@nullFlavor") == ["NI"]
    assert xpath(doc, "//cda:observation[cda:code/@code='21905-5']/cda:value/@nullFlavor") == ["UNK"]
    assert xpath(doc, "//cda:administrativeGenderCode/@code") == ["U"]
    assert xpath(doc, "//cda:manufacturedMaterial/cda:code[@nullFlavor='OTH']/cda:originalText/text()") == [
        "anti-PD-1 d'essai"
    ]
    assert xpath(doc, "//cda:custodian//cda:name/text()") == ["CHRU de Nancy"]
    assert b"&lt;script&gt;" in xml and b"\x07" not in xml
    assert not xpath(doc, "//cda:observationMedia")  # no PDF given: no copy section


@pytest.mark.slow
@override_settings(TIGRE={**settings.TIGRE, "DEMO": True})
def test_each_validated_avis_of_the_demo_exports_a_valid_fiche():
    """The demo's held meeting: each validated avis, with its real fiche PDF inside, passes the ANS validators."""
    with time_machine.travel(dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)):
        load_centres(password="x")
        load_accounts(password="x")
        load_referents(password="x")
        demo_session.load(password="x", stdout=io.StringIO())
        assert exports_demo.load(password="x") == 4
        assert exports_demo.load(password="x") == 0  # idempotent

    avis_list = list(Avis.objects.filter(state=Avis.State.VALIDATED).select_related("case"))
    assert len(avis_list) == 4
    for avis in avis_list:
        data = avis_export_data(avis)
        pdf = fiche_pdf_bytes(data)
        assert pdf.startswith(b"%PDF")
        report = validate_frcp(frcp_document(data, pdf=pdf))
        assert report.ok, f"{avis.case.reference}: {report.format()}"
