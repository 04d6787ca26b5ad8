"""Small display helpers for the request pages (no business rule here)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATUS_CLASSES = {
    "draft": "text-bg-light border",
    "submitted": "text-bg-primary",
    "info_requested": "text-bg-warning",
    "accepted": "text-bg-info",
    "scheduled": "text-bg-info",
    "discussed": "text-bg-secondary",
    "avis_validated": "text-bg-success",
    "closed": "text-bg-success",
    "withdrawn": "text-bg-dark",
    "declined": "text-bg-dark",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def field_errors_id(field: Any) -> str:
    return f"{field.auto_id}-errors"
