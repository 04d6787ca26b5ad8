from __future__ import annotations

from typing import Any

from django import template

from ..selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_unread(context: dict[str, Any]) -> int:
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
