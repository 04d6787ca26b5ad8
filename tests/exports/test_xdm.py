"""The IHE XDM package: its layout, its METADATA.XML parsed back (the patient is the INS), the documents it lists."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from lxml import etree

from meetings.exports.frcp import frcp_document
from meetings.exports.selectors import avis_export_data
from meetings.exports.xdm import (
    DE_FORMAT,
    DE_PATIENT_ID,
    DE_TYPE,
    DE_UNIQUE_ID,
    DOCUMENT_ENTRY,
    HAS_MEMBER,
    SS_PATIENT_ID,
    xdm_package,
)
from tests.exports.conftest import INS
from tests.exports.standards import validate_frcp

pytestmark = pytest.mark.django_db
RIM = {"rim": "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0", "lcm": "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"}
PDF = b"%PDF-1.7\n% fiche\n%%EOF\n"


def _package(board, **kwargs):
    data = avis_export_data(board.avis)
    frcp = frcp_document(data, pdf=PDF)
    submitted = dt.datetime(2026, 3, 18, 17, 45, tzinfo=dt.UTC)
    return frcp, zipfile.ZipFile(io.BytesIO(xdm_package(data, frcp=frcp, pdf=PDF, submitted=submitted, **kwargs)))


def slot(node, name):
    return node.xpath(f"rim:Slot[@name='{name}']/rim:ValueList/rim:Value/text()", namespaces=RIM)


def test_the_package_has_the_xdm_layout_and_its_metadata_name_the_patient_by_the_ins(board):
    frcp, archive = _package(board, recipients=["alice.aubert@chu-reims.mssante.fr"])
    assert sorted(archive.namelist()) == [
        "IHE_XDM/SUBSET01/DOC0001.XML",
        "IHE_XDM/SUBSET01/DOC0002.PDF",
        "IHE_XDM/SUBSET01/METADATA.XML",
        "INDEX.HTM",
        "README.TXT",
    ]
    assert archive.testzip() is None
    assert b"DOC0001.XML" in archive.read("INDEX.HTM")

    metadata = etree.fromstring(archive.read("IHE_XDM/SUBSET01/METADATA.XML"))
    assert metadata.tag == "{urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0}SubmitObjectsRequest"
    expected_patient = f"{INS}^^^&1.2.250.1.213.1.4.10&ISO^NH"
    (package,) = metadata.xpath("//rim:RegistryPackage", namespaces=RIM)
    (ss_patient,) = package.xpath(f"rim:ExternalIdentifier[@identificationScheme='{SS_PATIENT_ID}']", namespaces=RIM)
    assert ss_patient.get("value") == expected_patient
    assert ss_patient.get("value").split("^")[0] == INS
    assert slot(package, "submissionTime") == ["20260318174500"]
    assert slot(package, "intendedRecipient") == ["^^Internet^alice.aubert@chu-reims.mssante.fr"]

    entries = metadata.xpath(f"//rim:ExtrinsicObject[@objectType='{DOCUMENT_ENTRY}']", namespaces=RIM)
    assert [e.get("mimeType") for e in entries] == ["text/xml", "application/pdf"]
    for entry in entries:
        (uri,) = slot(entry, "URI")
        content = archive.read(f"IHE_XDM/SUBSET01/{uri}")
        assert slot(entry, "size") == [str(len(content))]
        assert slot(entry, "hash") == [hashlib.sha1(content).hexdigest()]
        assert slot(entry, "sourcePatientId") == [expected_patient]
        (patient,) = entry.xpath(f"rim:ExternalIdentifier[@identificationScheme='{DE_PATIENT_ID}']", namespaces=RIM)
        assert patient.get("value") == expected_patient
        (type_code,) = entry.xpath(f"rim:Classification[@classificationScheme='{DE_TYPE}']", namespaces=RIM)
        assert type_code.get("nodeRepresentation") == "34794-8"
        assert entry.xpath(f"rim:ExternalIdentifier[@identificationScheme='{DE_UNIQUE_ID}']/@value", namespaces=RIM)
        assert "PID-5|LEFÈVRE-DUPONT^Élodie Marie^^^^^L" in slot(entry, "sourcePatientInfo")
        assert slot(entry, "legalAuthenticator")[0].startswith("810100000025^VASSEUR^Paul")
    formats = [
        e.xpath(f"rim:Classification[@classificationScheme='{DE_FORMAT}']/@nodeRepresentation", namespaces=RIM)[0]
        for e in entries
    ]
    assert formats == ["urn:asip:ci-sis:frcp:2011", "urn:ihe:iti:xds-sd:pdf:2008"]
    members = metadata.xpath(f"//rim:Association[@associationType='{HAS_MEMBER}']", namespaces=RIM)
    assert {(a.get("sourceObject"), a.get("targetObject")) for a in members} == {
        ("SubmissionSet01", "Document01"),
        ("SubmissionSet01", "Document02"),
    }

    # The documents themselves: the FRCP as exported (and valid), the PDF.
    assert archive.read("IHE_XDM/SUBSET01/DOC0001.XML") == frcp
    assert validate_frcp(frcp).ok
    assert archive.read("IHE_XDM/SUBSET01/DOC0002.PDF") == PDF


def test_without_a_pdf_the_package_holds_the_frcp_only(board):
    data = avis_export_data(board.avis)
    archive = zipfile.ZipFile(io.BytesIO(xdm_package(data, frcp=frcp_document(data), pdf=b"")))
    assert "IHE_XDM/SUBSET01/DOC0002.PDF" not in archive.namelist()
    metadata = etree.fromstring(archive.read("IHE_XDM/SUBSET01/METADATA.XML"))
    assert len(metadata.xpath(f"//rim:ExtrinsicObject[@objectType='{DOCUMENT_ENTRY}']", namespaces=RIM)) == 1
