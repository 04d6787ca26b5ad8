"""HTML -> PDF with WeasyPrint, for every printed document of TIGRE.

Use::

    from tigre.pdf.rendering import render_pdf

    pdf = render_pdf(
        template_name="pdf/my_document.html",  # extends "pdf/base.html"
        context={"doc_title": "...", ...},
        stylesheet="pdf/my_document.css",  # path under static/, optional
    )

Every document gets ``static/pdf/common.css`` (embedded fonts, A4 page, running header and footer with
"page X / Y", French typography) and then its own family stylesheet. Resources resolve from the project's
``static/`` folder on the filesystem only: a URL outside it (network, other files) is refused, so a
document never waits on, or leaks to, the network and never depends on the machine's installed fonts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

# WeasyPrint logs every step (even at import) at INFO: useless noise in web and worker logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

logger = logging.getLogger(__name__)

COMMON_STYLESHEET = "pdf/common.css"
DOCUMENT_LANGUAGE = "fr"


class PdfRenderingError(Exception):
    """The document could not be produced (bad stylesheet path, WeasyPrint failure)."""


def static_root() -> Path:
    """The source static folder (not collectstatic's output): fonts and print CSS live there."""
    return (Path(settings.BASE_DIR) / "static").resolve()


def _static_path(relative: str) -> Path:
    root = static_root()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise PdfRenderingError(f"Print stylesheet not found under static/: {relative!r}")
    return path


class LocalStaticFetcher(URLFetcher):
    """Fetch only ``file:`` URLs inside static/ and inline ``data:`` URLs; refuse everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self._root = static_root()

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self._root):
                raise ValueError(f"Resource outside static/ refused: {url}")
        elif parts.scheme != "data":
            raise ValueError(f"Non-local resource refused: {url}")
        return super().fetch(url, headers)


def render_html(*, template_name: str, context: dict[str, Any]) -> str:
    """The document's HTML, in French, with ``printed_at`` set unless the caller gave it."""
    full_context = {"printed_at": timezone.localtime(), **context}
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(template_name, full_context)


def render_pdf(*, template_name: str, context: dict[str, Any], stylesheet: str | None = None) -> bytes:
    """Render a Django template to PDF bytes.

    ``stylesheet`` is a path relative to ``static/`` (e.g. ``"pdf/agenda.css"``), applied after the
    common print stylesheet. Template variables are autoescaped as usual: user text stays text.
    """
    return render_pdf_pages(template_name=template_name, context=context, stylesheet=stylesheet)[0]


def render_pdf_pages(
    *, template_name: str, context: dict[str, Any], stylesheet: str | None = None
) -> tuple[bytes, int]:
    """Like ``render_pdf``, also returning the number of pages."""
    html = render_html(template_name=template_name, context=context)
    fetcher = LocalStaticFetcher()
    font_config = FontConfiguration()
    base_url = static_root().as_uri() + "/"
    sheets = [COMMON_STYLESHEET] + ([stylesheet] if stylesheet else [])
    css = [CSS(filename=str(_static_path(sheet)), url_fetcher=fetcher, font_config=font_config) for sheet in sheets]
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print").render(
            stylesheets=css, font_config=font_config
        )
        pdf = document.write_pdf()
    except Exception as exc:  # WeasyPrint raises many types; callers need one.
        logger.exception("PDF rendering failed for %s", template_name)
        raise PdfRenderingError(str(exc)) from exc
    if not pdf:
        raise PdfRenderingError("WeasyPrint produced no output")
    return bytes(pdf), len(document.pages)
