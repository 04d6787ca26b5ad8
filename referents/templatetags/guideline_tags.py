"""The guideline summaries beside the avis form (a read through ``referents.selectors``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from ..selectors import GuidelinePanel, guidelines_for

register = template.Library()


@register.simple_tag
def guidelines_beside(toxicities: Iterable[Any]) -> list[GuidelinePanel]:
    return guidelines_for(toxicities)
