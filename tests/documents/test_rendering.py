"""render_pdf: fonts embedded, local resources only, running header/footer, escaping, French typography."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from tests.documents.pdfutil import font_names, page_count, pdf_text
from tigre.pdf.rendering import (
    LocalStaticFetcher,
    PdfRenderingError,
    render_html,
    render_pdf,
    static_root,
)
from tigre.pdf.templatetags.pdf_typography import french_typography

TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _test_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates


def render(**context):
    base = {"text": "", "lines": [], "context_line": "RCP du mercredi 2 décembre 2026"}
    return render_pdf(template_name="pdf_test/sample.html", context={**base, **context})


def test_pdf_embeds_the_shipped_fonts_and_accents_read_back():
    pdf = render(text="Élodie, hépatite immuno-induite, œdème, grade ≥ 3")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Réunion de concertation pluridisciplinaire" in text
    assert "Élodie, hépatite immuno-induite, œdème, grade ≥ 3" in text
    fonts = font_names(pdf)
    # Only the @font-face families of static/pdf/common.css, embedded (subset "ABCDEF+" prefix).
    assert fonts and all("+TIGRE-" in name for name in fonts), fonts


def test_every_page_has_page_x_of_y_title_context_and_print_date():
    with time_machine.travel(dt.datetime(2026, 11, 28, 16, 5, tzinfo=dt.UTC), tick=False):
        pdf = render(lines=[f"Ligne numéro {i}" for i in range(400)])
    pages = page_count(pdf)
    assert 3 <= pages <= 20
    text = pdf_text(pdf)
    for number in range(1, pages + 1):
        assert f"page {number} / {pages}" in text
    assert text.count("RCP TIGRE · Document d'essai") == pages
    assert text.count("RCP du mercredi 2 décembre 2026") == pages
    # Europe/Paris local time of the print.
    assert text.count("Imprimé le 28/11/2026 à 17:05") == pages


def test_user_text_stays_text():
    pdf = render(text='<script>alert("x")</script> fin de cellule </td></tr></table> suite')
    text = pdf_text(pdf)
    assert "<script>alert(«" in text or '<script>alert("x")</script>' in text
    assert "</td></tr></table> suite" in text


def test_french_spacing_is_non_breaking():
    text = 'Faut-il reprendre ? Réponse: "oui" dès 1 mg/kg ; surveiller !'
    html = render_html(template_name="pdf_test/sample.html", context={"text": text, "lines": []})
    assert "reprendre\u202f?" in html
    assert "Réponse\u00a0:" in html
    assert "«\u00a0oui\u00a0»" in html
    assert "1\u00a0mg/kg" in html
    assert "mg/kg\u202f;" in html
    assert "surveiller\u202f!" in html
    # pdftotext shows no-break spaces as plain spaces; the words and guillemets are there.
    assert "Faut-il reprendre ? Réponse : « oui » dès 1 mg/kg ; surveiller !" in pdf_text(render(text=text))


def test_typography_keeps_entities_times_and_urls():
    assert french_typography("Tom &amp; Jerry ;") == "Tom &amp; Jerry\u202f;"
    assert french_typography("à 17:00, https://visio.example/rcp?x=1") == "à 17:00, https://visio.example/rcp?x=1"
    assert french_typography("« déjà »") == "«\u00a0déjà\u00a0»"


def test_fetcher_refuses_network_and_files_outside_static():
    fetcher = LocalStaticFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/font.ttf")
    with pytest.raises(ValueError):
        fetcher.fetch((Path(settings.BASE_DIR) / "manage.py").resolve().as_uri())
    font = static_root() / "pdf" / "fonts" / "DejaVuSans.ttf"
    response = fetcher.fetch(font.as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"
    response.close()


def test_unknown_stylesheet_is_refused():
    with pytest.raises(PdfRenderingError):
        render_pdf(template_name="pdf_test/sample.html", context={}, stylesheet="../manage.py")
    with pytest.raises(PdfRenderingError):
        render_pdf(template_name="pdf_test/sample.html", context={}, stylesheet="pdf/nope.css")


def test_fonts_folder_keeps_its_license():
    license_text = (static_root() / "pdf" / "fonts" / "LICENSE").read_text()
    assert "Bitstream Vera" in license_text
