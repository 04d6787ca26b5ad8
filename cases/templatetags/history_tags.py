"""The patient's history for pages of other apps (the meeting session): a read through ``cases.history``."""

from __future__ import annotations

from django import template

from ..history import HistoryEntry, patient_history
from ..models import Case

register = template.Library()


@register.simple_tag
def earlier_avis(case: Case) -> list[HistoryEntry]:
    """The patient's other requests and their avis, as the board sees them at its meeting (pseudonymised page:
    references, dates and the avis only; docs/domain.md#a-patients-history)."""
    return patient_history(case)
