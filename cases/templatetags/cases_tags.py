"""Small display helpers for the request pages (no business rule here)."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Case, CaseStatus
from ..triage.selectors import TriageActions
from ..triage.selectors import tag_unclaimed as _tag_unclaimed
from ..triage.selectors import triage_actions as _triage_actions

register = template.Library()

STATUS_CLASSES: dict[str, str] = {
    CaseStatus.DRAFT: "text-bg-light border",
    CaseStatus.SUBMITTED: "text-bg-primary",
    CaseStatus.INFO_REQUESTED: "text-bg-warning",
    CaseStatus.ACCEPTED: "text-bg-info",
    CaseStatus.SCHEDULED: "text-bg-info",
    CaseStatus.DISCUSSED: "text-bg-secondary",
    CaseStatus.AVIS_VALIDATED: "text-bg-success",
    CaseStatus.CLOSED: "text-bg-success",
    CaseStatus.WITHDRAWN: "text-bg-dark",
    CaseStatus.DECLINED: "text-bg-dark",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def field_errors_id(field: Any) -> str:
    return f"{field.auto_id}-errors"


@register.simple_tag
def triage_actions(case: Case) -> TriageActions:
    """``{% triage_actions case as can %}``: the triage actions open on ``case`` (``can.accept``...)."""
    return _triage_actions(case)


@register.simple_tag
def tag_unclaimed(case: Case) -> list[str]:
    return _tag_unclaimed(case)
