"""French typography for printed documents: non-breaking spaces and guillemets, on escaped text."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, before ; ! ? and inside guillemets

_SPACE_BEFORE_COLON = re.compile(r"[ \t\u00a0\u202f]+:")
_SPACE_BEFORE_TALL = re.compile(r"[ \t\u00a0\u202f]+([;!?»])")
_MISSING_BEFORE = re.compile(r"(?<=[^\W\d_])([!?]|:)(?=\s|$)")
_AFTER_OPENING = re.compile(r"«[ \t\u00a0\u202f]*")
_STRAIGHT_QUOTES = re.compile(r"&quot;([^&\n]{1,200}?)&quot;")
_UNIT = re.compile(
    r"(?<=\d) (mg|g|kg|µg|mL|ml|L|UI|%|h|min|j|jours?|mois|ans?|semaines?|cures?|mm|cm|m²)(?=[\s/.,;:)]|$)"
)


def french_typography(text: str) -> str:
    """Apply French spacing rules to already-escaped HTML text (entities are left intact)."""
    text = _STRAIGHT_QUOTES.sub(lambda m: f"«{NBSP}{m.group(1).strip()}{NBSP}»", text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    text = _SPACE_BEFORE_COLON.sub(NBSP + ":", text)
    text = _SPACE_BEFORE_TALL.sub(lambda m: (NBSP if m.group(1) == "»" else NNBSP) + m.group(1), text)
    text = _MISSING_BEFORE.sub(lambda m: (NBSP if m.group(1) == ":" else NNBSP) + m.group(1), text)
    return _UNIT.sub(lambda m: NBSP + m.group(1), text)


@register.filter(needs_autoescape=True)
def typo_fr(value: object, autoescape: bool = True) -> SafeString:
    """Escape (unless already safe) then set French non-breaking spaces: ``{{ text|typo_fr }}``."""
    if value is None:
        return mark_safe("")
    text = conditional_escape(str(value)) if autoescape else str(value)
    return mark_safe(french_typography(str(text)))  # noqa: S308 - input escaped above


@register.filter
def heure(value: object) -> str:
    """A time in the French way with no-break spaces: 17 h 05 (``{{ dt|heure }}``); empty if missing."""
    if not value or not hasattr(value, "hour"):
        return ""
    return f"{value.hour}{NBSP}h{NBSP}{getattr(value, 'minute', 0):02d}"
