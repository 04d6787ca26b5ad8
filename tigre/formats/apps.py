from __future__ import annotations

from django.apps import AppConfig


class FormatsConfig(AppConfig):
    """No models: an app so that the ``french`` template library is found by every template."""

    name = "tigre.formats"
    label = "formats"
