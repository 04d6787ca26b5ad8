from __future__ import annotations

from django.apps import AppConfig


class PdfConfig(AppConfig):
    """No models: an app so that the ``pdf_typography`` template library is found by every PDF template."""

    name = "tigre.pdf"
    label = "pdf"
