"""The calendar exports: one meeting's .ics, the personal feed at a secret URL, and the page that makes or revokes it.

No patient data goes into a calendar (calendar/ics.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from meetings.calendar import ics
from meetings.calendar.selectors import calendar_feed_by_token, calendar_feed_live, meetings_for_feed
from meetings.calendar.services import calendar_feed_create, calendar_feed_revoke
from meetings.selectors import get_meeting_for_user
from meetings.session.selectors import SESSION_ROLES
from tigre.accounts.decorators import AuthenticatedRequest


def _link_for(user: Any) -> ics.LinkFor:
    """Where an event links to: the session page for those who run it, the referents' view for the others."""
    if user.is_superuser or user.has_role(*SESSION_ROLES):
        return lambda m: reverse("meetings:session", args=[m.pk])
    return lambda m: reverse("meetings:my_meeting", args=[m.pk])


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def meeting_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    body = ics.meeting_ics(meeting, item_count=meeting.items.count(), link_for=_link_for(request.user))
    return _ics_response(body, f"rcp-tigre-{meeting.starts_at:%Y-%m-%d}.ics")


def _settings_context(request: HttpRequest) -> dict[str, Any]:
    feed = calendar_feed_live(request.user)  # type: ignore[arg-type]
    url = request.build_absolute_uri(reverse("meetings:calendar_feed", args=[feed.token])) if feed else ""
    return {"feed": feed, "feed_url": url}


@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            calendar_feed_create(user=request.user)  # type: ignore[arg-type]
            messages.success(request, _("Nouvelle adresse d'agenda créée ; l'ancienne ne fonctionne plus."))
        elif action == "revoke":
            calendar_feed_revoke(user=request.user)  # type: ignore[arg-type]
            messages.success(request, _("Adresse d'agenda révoquée : elle ne fonctionne plus."))
        else:
            messages.error(request, _("Action inconnue."))
            return render(request, "meetings/calendar/settings.html", _settings_context(request), status=400)
        return redirect("meetings:calendar_settings")
    return render(request, "meetings/calendar/settings.html", _settings_context(request))


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed. The secret token is the credential: unknown or revoked -> 404."""
    feed = calendar_feed_by_token(token)
    if feed is None:
        raise Http404
    body = ics.feed_ics(meetings_for_feed(feed.user), owner=feed.user, link_for=_link_for(feed.user))
    return _ics_response(body, "rcp-tigre.ics")
