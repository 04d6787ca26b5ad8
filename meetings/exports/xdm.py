"""The MSSanté-ready package: an IHE XDM zip (IHE ITI TF-1 16, TF-3 4.2) holding the FRCP and the fiche PDF.

Layout of IHE_XDM.ZIP::

    INDEX.HTM                         what the package holds, with links (for a person opening it)
    README.TXT                        who made it
    IHE_XDM/SUBSET01/METADATA.XML     ebRIM SubmitObjectsRequest: the submission set and one entry per document
    IHE_XDM/SUBSET01/DOC0001.XML      the FRCP (CDA R2 N3)
    IHE_XDM/SUBSET01/DOC0002.PDF      the signed fiche (PDF)

The patient is identified by the qualified INS (patientId and sourcePatientId ``INS^^^&OID&ISO^NH``); each document
entry carries its size and SHA-1 hash, its codes (the French XDS value sets, docs/exports.md) and its URI in the
subset. A secure messaging client sends the zip as is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from lxml import etree

from tigre.accounts.models import Title, User

from .frcp import DOCUMENT_CODE, SPECIALTY_CODES
from .selectors import ExportData, export_id

LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NSMAP = {"lcm": LCM, "rim": RIM}

# IHE XDS metadata identifiers (ITI TF-3 4.2.5)
DOCUMENT_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
DE_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DE_CLASS = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DE_CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DE_FORMAT = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
DE_FACILITY = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
DE_PRACTICE = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
DE_TYPE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DE_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DE_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
SS_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
SUBMIT_OBJECT = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExtrinsicObject"

# Codes of the French XDS value sets (CI-SIS JDV_J0x), with their coding schemes.
CLASS_CODE = ("11", "Compte rendu", "1.2.250.1.213.1.1.4.1")  # TRE_A03-ClasseDocument-CISIS
TYPE_CODE = (DOCUMENT_CODE[0], DOCUMENT_CODE[1], "2.16.840.1.113883.6.1")  # LOINC
FORMAT_FRCP = (
    "urn:asip:ci-sis:frcp:2011",
    "Fiche de réunion de concertation pluridisciplinaire",
    "1.2.250.1.213.1.1.4.2.282",
)
FORMAT_PDF = ("urn:ihe:iti:xds-sd:pdf:2008", "Document à corps non structuré en Pdf/A-1", "1.3.6.1.4.1.19376.1.2.3")
CONFIDENTIALITY = ("N", "Normal", "2.16.840.1.113883.5.25")
FACILITY = ("SA01", "Etablissement public de santé", "1.2.250.1.71.4.2.4")  # the coordinating CHUs are public
PRACTICE = ("ETABLISSEMENT", "Etablissement de santé", "1.2.250.1.213.1.1.4.9")
SOURCE_ID = export_id("source", "TIGRE e-RCP")  # this application as a source of documents

SUBSET = "IHE_XDM/SUBSET01"
FRCP_NAME = "DOC0001.XML"
PDF_NAME = "DOC0002.PDF"


def _utc(value: dt.datetime) -> str:
    """XDS time: UTC, YYYYMMDDhhmmss."""
    return value.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class Document:
    name: str
    content: bytes
    mime: str
    unique_id: str
    title: str
    format_code: tuple[str, str, str]


class _Metadata:
    def __init__(self, data: ExportData, documents: list[Document], submitted: dt.datetime, recipients: list[str]):
        self.data = data
        self.documents = documents
        self.submitted = submitted
        self.recipients = recipients
        self.request = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap=NSMAP)
        self.objects = etree.SubElement(self.request, f"{{{RIM}}}RegistryObjectList")
        self.count = 0

    def el(self, parent: etree._Element, tag: str, **attrs: Any) -> etree._Element:
        element = etree.SubElement(parent, f"{{{RIM}}}{tag}")
        for key, value in attrs.items():
            element.set(key, str(value))
        return element

    def local_id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count:02d}"

    def slot(self, parent: etree._Element, name: str, *values: str) -> None:
        slot = self.el(parent, "Slot", name=name)
        values_list = self.el(slot, "ValueList")
        for value in values:
            self.el(values_list, "Value").text = value

    def name(self, parent: etree._Element, value: str, tag: str = "Name") -> None:
        holder = self.el(parent, tag)
        self.el(
            holder,
            "LocalizedString",
            value=value,
            charset="UTF-8",
            **{"{http://www.w3.org/XML/1998/namespace}lang": "fr-FR"},
        )

    def classification(
        self, parent: etree._Element, scheme: str, owner: str, coded: tuple[str, str, str]
    ) -> etree._Element:
        node = self.el(
            parent,
            "Classification",
            id=self.local_id("cl"),
            classificationScheme=scheme,
            classifiedObject=owner,
            nodeRepresentation=coded[0],
        )
        self.slot(node, "codingScheme", coded[2])
        self.name(node, coded[1])
        return node

    def external_id(self, parent: etree._Element, scheme: str, owner: str, value: str, label: str) -> None:
        node = self.el(
            parent,
            "ExternalIdentifier",
            id=self.local_id("ei"),
            registryObject=owner,
            identificationScheme=scheme,
            value=value,
        )
        self.name(node, label)

    # --- HL7 v2 data types used by XDS ---

    def patient_id(self) -> str:
        ins = self.data.ins
        return f"{ins.value}^^^&{ins.oid}&ISO^NH"

    def person(self, user: User) -> str:
        """XCN: national identifier, family, given, title; the identifier's authority (RPPS)."""
        title = str(user.get_title_display()) if user.title in (Title.DR, Title.PR) else ""
        if user.rpps:
            return (
                f"8{user.rpps}^{user.last_name.upper()}^{user.first_name}^^^{title}^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
            )
        return f"^{user.last_name.upper()}^{user.first_name}^^^{title}"

    def institution(self) -> str:
        centre = self.data.organiser
        if centre.finess:
            return f"{centre.name}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1{centre.finess}"
        return centre.name

    def author(self, parent: etree._Element, scheme: str, owner: str) -> None:
        user = self.data.validated_by
        node = self.el(
            parent,
            "Classification",
            id=self.local_id("cl"),
            classificationScheme=scheme,
            classifiedObject=owner,
            nodeRepresentation="",
        )
        self.slot(node, "authorPerson", self.person(user))
        self.slot(node, "authorInstitution", self.institution())
        coded = SPECIALTY_CODES.get(user.specialty)
        if coded:
            self.slot(node, "authorSpecialty", f"{coded[0]}^{coded[1]}^1.2.250.1.213.1.1.4.5")

    # --- objects ---

    def submission_set(self) -> str:
        data = self.data
        owner = "SubmissionSet01"
        package = self.el(
            self.objects,
            "RegistryPackage",
            id=owner,
            objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage",
        )
        self.slot(package, "submissionTime", _utc(self.submitted))
        if self.recipients:
            self.slot(package, "intendedRecipient", *(f"^^Internet^{address}" for address in self.recipients))
        self.name(package, f"Fiche RCP TIGRE {data.reference}")
        self.author(package, SS_AUTHOR, owner)
        self.external_id(
            package,
            SS_UNIQUE_ID,
            owner,
            export_id("xdm", data.avis.pk, _utc(self.submitted)),
            "XDSSubmissionSet.uniqueId",
        )
        self.external_id(package, SS_SOURCE_ID, owner, SOURCE_ID, "XDSSubmissionSet.sourceId")
        self.external_id(package, SS_PATIENT_ID, owner, self.patient_id(), "XDSSubmissionSet.patientId")
        self.el(
            self.objects,
            "Classification",
            id=self.local_id("cl"),
            classifiedObject=owner,
            classificationNode=SUBMISSION_SET,
        )
        return owner

    def document_entry(self, number: int, document: Document) -> str:
        data, patient = self.data, self.data.patient
        owner = f"Document{number:02d}"
        entry = self.el(self.objects, "ExtrinsicObject", id=owner, mimeType=document.mime, objectType=DOCUMENT_ENTRY)
        self.slot(entry, "creationTime", _utc(data.validated_at))
        # XDS names the SHA-1 of the content (an integrity check of the package, not a security measure).
        self.slot(entry, "hash", hashlib.sha1(document.content, usedforsecurity=False).hexdigest())
        self.slot(entry, "size", str(len(document.content)))
        self.slot(entry, "languageCode", "fr-FR")
        self.slot(entry, "serviceStartTime", _utc(data.meeting.starts_at))
        self.slot(entry, "sourcePatientId", self.patient_id())
        info = [f"PID-5|{patient.birth_name.upper()}^{patient.first_names}^^^^^L"]
        if patient.birth_date:
            info.append(f"PID-7|{patient.birth_date:%Y%m%d}")
        info.append(f"PID-8|{patient.sex if patient.sex in ('F', 'M') else 'U'}")
        self.slot(entry, "sourcePatientInfo", *info)
        self.slot(entry, "legalAuthenticator", self.person(data.validated_by))
        self.slot(entry, "URI", document.name)
        self.name(entry, document.title)
        self.author(entry, DE_AUTHOR, owner)
        self.classification(entry, DE_CLASS, owner, CLASS_CODE)
        self.classification(entry, DE_CONFIDENTIALITY, owner, CONFIDENTIALITY)
        self.classification(entry, DE_FORMAT, owner, document.format_code)
        self.classification(entry, DE_FACILITY, owner, FACILITY)
        self.classification(entry, DE_PRACTICE, owner, PRACTICE)
        self.classification(entry, DE_TYPE, owner, TYPE_CODE)
        self.external_id(entry, DE_PATIENT_ID, owner, self.patient_id(), "XDSDocumentEntry.patientId")
        self.external_id(entry, DE_UNIQUE_ID, owner, document.unique_id, "XDSDocumentEntry.uniqueId")
        return owner

    def build(self) -> bytes:
        package = self.submission_set()
        for number, document in enumerate(self.documents, start=1):
            entry = self.document_entry(number, document)
            association = self.el(
                self.objects,
                "Association",
                id=self.local_id("as"),
                associationType=HAS_MEMBER,
                sourceObject=package,
                targetObject=entry,
            )
            self.slot(association, "SubmissionSetStatus", "Original")
        return etree.tostring(self.request, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _index(data: ExportData, documents: list[Document]) -> bytes:
    rows = "".join(
        f'<li><a href="{SUBSET}/{html.escape(d.name)}">{html.escape(d.title)}</a> ({html.escape(d.mime)})</li>'
        for d in documents
    )
    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>IHE XDM — Fiche RCP TIGRE</title></head>'
        f"<body><h1>Fiche RCP TIGRE {html.escape(data.reference)}</h1>"
        f"<p>RCP TIGRE (toxicités des immunothérapies) du {timezone.localtime(data.meeting.starts_at):%d/%m/%Y}.</p>"
        f'<ul>{rows}</ul><p><a href="README.TXT">README.TXT</a> · '
        f'<a href="{SUBSET}/METADATA.XML">METADATA.XML</a></p></body></html>'
    )
    return page.encode("utf-8")


def _readme(data: ExportData) -> bytes:
    text = (
        "IHE XDM package (IHE ITI Technical Framework, Cross-Enterprise Document Media Interchange)\r\n"
        "Produced by TIGRE e-RCP, RCP TIGRE - Toxicite des Immunotherapies en GRand Est\r\n"
        f"Organising establishment: {data.organiser.name}\r\n"
        f"Content: fiche RCP {data.reference} (CDA R2 N3, CI-SIS volet CANCER-FRCP 2022.01) and its PDF copy\r\n"
        "Metadata: IHE_XDM/SUBSET01/METADATA.XML\r\n"
    )
    return text.encode("utf-8")


def xdm_documents(data: ExportData, *, frcp: bytes, pdf: bytes) -> list[Document]:
    """The FRCP, and the fiche PDF when there is one (a fiche that could not be rendered is not sent empty)."""
    documents = [
        Document(
            FRCP_NAME,
            frcp,
            "text/xml",
            export_id("frcp", data.avis.pk, "document", 1),
            f"Fiche RCP TIGRE {data.reference} (CDA)",
            FORMAT_FRCP,
        )
    ]
    if pdf:
        documents.append(
            Document(
                PDF_NAME,
                pdf,
                "application/pdf",
                export_id("frcp", data.avis.pk, "pdf", 1),
                f"Fiche RCP TIGRE {data.reference} (PDF)",
                FORMAT_PDF,
            )
        )
    return documents


def xdm_metadata(
    data: ExportData, documents: list[Document], *, submitted: dt.datetime, recipients: list[str] | None = None
) -> bytes:
    return _Metadata(data, documents, submitted, recipients or []).build()


def xdm_package(
    data: ExportData,
    *,
    frcp: bytes,
    pdf: bytes,
    submitted: dt.datetime | None = None,
    recipients: list[str] | None = None,
) -> bytes:
    """The IHE_XDM.ZIP of a validated avis: its FRCP and PDF with their XDS metadata."""
    submitted = submitted or timezone.now()
    documents = xdm_documents(data, frcp=frcp, pdf=pdf)
    buffer = io.BytesIO()
    stamp = timezone.localtime(submitted).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def write(name: str, content: bytes) -> None:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, compress_type=zipfile.ZIP_DEFLATED)

        write("INDEX.HTM", _index(data, documents))
        write("README.TXT", _readme(data))
        write(f"{SUBSET}/METADATA.XML", xdm_metadata(data, documents, submitted=submitted, recipients=recipients))
        for document in documents:
            write(f"{SUBSET}/{document.name}", document.content)
    return buffer.getvalue()
