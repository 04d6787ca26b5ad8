"""Glue between Django's authentication and the security rules (django-axes, session stamps, TOTP)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .middleware import stamp_new_session
from .otp import SESSION_OTP_ENROLLED, confirmed_device


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account key django-axes counts failures on: the e-mail as the login form resolves it
    (case-insensitive), so that "ALICE@..." and "alice@..." share one counter."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().lower()


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Start the session clocks and remember whether this user, for whom TOTP may be optional, enrolled."""
    session = getattr(request, "session", None)
    if session is None:
        return
    stamp_new_session(session)
    session[SESSION_OTP_ENROLLED] = confirmed_device(user) is not None
