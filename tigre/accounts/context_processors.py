from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .otp import second_factor_required


def security(request: HttpRequest) -> dict[str, Any]:
    """``second_factor_pending``: the password is done, the TOTP code is not; base.html then shows no navigation."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "is_verified"):
        return {"second_factor_pending": False}
    return {"second_factor_pending": second_factor_required(user, request.session) and not user.is_verified()}
