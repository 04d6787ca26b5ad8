"""Building blocks of a CDA R2 document with lxml: elements in the HL7 v3 namespace, data types, narrative tables.

Used by frcp.py. Text is cleaned of the characters XML 1.0 forbids; lxml escapes the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from lxml import etree

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: HL7, "xsi": XSI}
XSI_TYPE = f"{{{XSI}}}type"

# Code systems
LOINC = "2.16.840.1.113883.6.1"
SNOMED = "2.16.840.1.113883.6.96"
NCIT = "2.16.840.1.113883.3.26.1.1"
TA_ASIP = "1.2.250.1.213.1.1.4.322"
CIM10 = "2.16.840.1.113883.6.3"
ATC = "2.16.840.1.113883.6.73"
ACT_CODE = "2.16.840.1.113883.5.4"
GENDER = "2.16.840.1.113883.5.1"
CONFIDENTIALITY = "2.16.840.1.113883.5.25"
TNM_UICC = "2.16.840.1.113883.15.6"
PROFESSION = "1.2.250.1.213.1.1.4.5"  # TRE_A02 ProfessionSavFaire-CISIS
# Identifiers
OID_RPPS = "1.2.250.1.71.4.2.1"  # national identifier of a health professional: "8" + RPPS
OID_STRUCTURE = "1.2.250.1.71.4.2.2"  # national identifier of a structure: "1" + FINESS

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(value: Any) -> str:
    return _FORBIDDEN.sub("", str(value)) if value is not None else ""


def el(parent: etree._Element, tag: str, text: Any = None, **attrs: Any) -> etree._Element:
    """A child element; ``xsi_type`` becomes xsi:type, a trailing underscore is dropped (``class_``), None skipped."""
    element = etree.SubElement(parent, f"{{{HL7}}}{tag}")
    for key, value in attrs.items():
        if value is None:
            continue
        element.set(XSI_TYPE if key == "xsi_type" else key.rstrip("_"), clean(value))
    if text is not None:
        element.text = clean(text)
    return element


def root(tag: str) -> etree._Element:
    return etree.Element(f"{{{HL7}}}{tag}", nsmap=NSMAP)


def ts(value: dt.date | dt.datetime) -> str:
    """A CDA TS: a date (YYYYMMDD) or a local time with its offset (YYYYMMDDHHMMSS+ZZZZ)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y%m%d%H%M%S%z")
    return value.strftime("%Y%m%d")


def templates(parent: etree._Element, *roots: str) -> None:
    for template in roots:
        el(parent, "templateId", root=template)


def code(
    parent: etree._Element, value: str, system: str, display: str = "", *, tag: str = "code", system_name: str = ""
) -> etree._Element:
    return el(
        parent, tag, code=value, codeSystem=system, displayName=display or None, codeSystemName=system_name or None
    )


def reference(parent: etree._Element, target: str, *, tag: str = "text") -> etree._Element:
    """``<text><reference value="#id"/></text>`` pointing at the narrative."""
    holder = el(parent, tag)
    el(holder, "reference", value=f"#{target}")
    return holder


def lines_into(parent: etree._Element, text: str) -> None:
    """Multi-line text into a narrative element: one ``<br/>`` between lines."""
    parts = clean(text).strip().splitlines() or [""]
    parent.text = parts[0]
    for line in parts[1:]:
        br = el(parent, "br")
        br.tail = line


Cell = str | tuple[str, str]  # a plain cell, or (ID, text) for a referenced <content>


def table(text: etree._Element, head: Sequence[str], rows: Iterable[Sequence[Cell]]) -> etree._Element:
    """A narrative table; a cell given as (ID, text) holds ``<content ID=...>`` that entries reference."""
    tbl = el(text, "table", border="1")
    if head:
        tr = el(el(tbl, "thead"), "tr")
        for title in head:
            el(tr, "th", title)
    body = el(tbl, "tbody")
    count = 0
    for row in rows:
        tr = el(body, "tr")
        count += 1
        for cell in row:
            td = el(tr, "td")
            if isinstance(cell, tuple):
                content = el(td, "content", ID=cell[0])
                lines_into(content, cell[1])
            else:
                lines_into(td, cell)
    if count == 0:  # a table needs a row (NarrativeBlock.xsd): say there is nothing
        el(el(body, "tr"), "td", "—")
    return tbl


def paragraph(text: etree._Element, value: str, *, id_: str | None = None) -> etree._Element:
    p = el(text, "paragraph")
    if id_:
        content = el(p, "content", ID=id_)
        lines_into(content, value)
    else:
        lines_into(p, value)
    return p


def yes_no(value: bool | None) -> str:
    return {True: "Oui", False: "Non", None: "Non renseigné"}[value]


def bl(parent: etree._Element, value: bool | None) -> etree._Element:
    """A BL value; unknown is said as such (nullFlavor UNK)."""
    if value is None:
        return el(parent, "value", xsi_type="BL", nullFlavor="UNK")
    return el(parent, "value", xsi_type="BL", value="true" if value else "false")


def tostring(document: etree._Element) -> bytes:
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
