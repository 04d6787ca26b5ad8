from __future__ import annotations

from typing import Any

from django import template

from ..selectors import unread_count, urgent_panel_for

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_unread(context: dict[str, Any]) -> int:
    request = context.get("request")
    return unread_count(getattr(request, "user", None))


@register.inclusion_tag("notifications/_urgent_panel_body.html", takes_context=True)
def urgent_panel(context: dict[str, Any], case: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = urgent_panel_for(case=case, user=user) if user is not None and user.is_authenticated else None
    return {"panel": panel, "request": request, "csrf_token": context.get("csrf_token")}
