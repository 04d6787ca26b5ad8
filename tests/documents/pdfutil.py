"""Read PDFs back as text in tests (pdftotext keeps reading order; pypdf for page counts)."""

from __future__ import annotations

import io
import re
import subprocess

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, layout-free, in reading order (poppler's pdftotext)."""
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def font_names(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names


def flat(text: str) -> str:
    """Text with every run of whitespace (line breaks, no-break spaces) as one space; a line broken after a
    hyphen is joined back ("Dupré-\nLefèvre" -> "Dupré-Lefèvre")."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))
