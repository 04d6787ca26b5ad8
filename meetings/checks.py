"""Start-up checks of the meetings' settings."""

from __future__ import annotations

from typing import Any

import holidays
from django.conf import settings
from django.core.checks import Error, register


@register()
def holiday_subdivisions_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every code of TIGRE["HOLIDAY_SUBDIVISIONS"] must be a French subdivision the `holidays` library knows."""
    known = set(holidays.France.subdivisions)
    return [
        Error(
            f"TIGRE_HOLIDAY_SUBDIVISIONS: unknown French subdivision {code!r}",
            hint=f"One of: {', '.join(sorted(known))}.",
            id="meetings.E001",
        )
        for code in settings.TIGRE.get("HOLIDAY_SUBDIVISIONS", ())
        if code not in known
    ]
