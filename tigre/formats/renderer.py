"""The form renderer: Django's, with one label for "nothing chosen" in every list (docs/architecture.md#french-formats).

Django writes "---------" for the empty choice of a model field or a ``ModelChoiceField``, while our own lists
write "—": the renderer puts "—" in every ``<select>``, so no form has to remember it."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates

EMPTY_CHOICE_LABEL = "—"
DJANGO_EMPTY_CHOICE_LABEL = "---------"


class FrenchFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict):
            for _name, options, _index in widget.get("optgroups", ()):
                for option in options:
                    if option.get("value") in ("", None) and option.get("label") == DJANGO_EMPTY_CHOICE_LABEL:
                        option["label"] = EMPTY_CHOICE_LABEL
        return super().render(template_name, context, request)
