"""Session lifetime and the second factor, enforced on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .otp import confirmed_device, second_factor_required

SESSION_STARTED = "tigre_auth_started"  # epoch seconds of the login
SESSION_LAST_SEEN = "tigre_last_seen"  # epoch seconds of the last request
# Refresh the stamp at most once a minute: a session write per request would cost a query each time.
_REFRESH_EVERY = 60


def stamp_new_session(session: Any, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[SESSION_STARTED] = int(now)
    session[SESSION_LAST_SEEN] = int(now)


class SessionTimeoutMiddleware:
    """Ends an authenticated session after SESSION_IDLE_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS
    after login whatever the activity. ``logout`` flushes the session row server-side."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get(SESSION_STARTED)
            last_seen = session.get(SESSION_LAST_SEEN)
            if started is None or last_seen is None:
                # A session from before this rule: start counting now.
                stamp_new_session(session, now)
            elif now - last_seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Votre session a expiré. Merci de vous reconnecter."))
                return redirect_to_login(request.get_full_path())
            elif now - last_seen >= _REFRESH_EVERY:
                session[SESSION_LAST_SEEN] = int(now)
        return self.get_response(request)


def second_factor_exempt(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark a view reachable after the password but before the second factor (the OTP pages, logout)."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


class SecondFactorMiddleware:
    """Sends a user who must use a second factor to the verification (or enrolment) page until
    ``request.user.is_verified()``. Placed after LoginRequiredMiddleware: anonymous users go to login first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated:
            return None
        if getattr(view_func, "second_factor_exempt", False) or not getattr(view_func, "login_required", True):
            return None
        if not second_factor_required(user, request.session) or user.is_verified():
            return None
        target = "accounts:otp_verify" if confirmed_device(user) else "accounts:otp_enrol"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)
