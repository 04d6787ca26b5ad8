"""iCalendar export of meetings: one .ics per meeting and a personal feed (RFC 5545, with a VTIMEZONE).

No patient data goes into a calendar: a feed is reachable by its secret URL alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from meetings.models import Meeting

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//RCP TIGRE//TIGRE e-RCP//FR"


def _uid(meeting: Meeting) -> str:
    host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "tigre.invalid"
    return f"rcp-{meeting.pk}@{host}"


LinkFor = Callable[[Meeting], str]


def meeting_event(
    meeting: Meeting, *, item_count: int | None = None, now: datetime | None = None, link_for: LinkFor | None = None
) -> Event:
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(PARIS))
    event.add("dtend", meeting.ends_at.astimezone(PARIS))
    event.add("summary", _("RCP TIGRE — toxicités des immunothérapies"))
    # A change of time or agenda raises the sequence so that calendar clients update the event.
    event.add("sequence", meeting.version)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    path = link_for(meeting) if link_for else reverse("meetings:my_meeting", args=[meeting.pk])
    page = settings.SITE_URL.rstrip("/") + path
    lines = [_("Réunion de concertation pluridisciplinaire TIGRE (visioconférence).")]
    if meeting.video_url:
        lines.append(_("Lien de visioconférence : %(url)s") % {"url": meeting.video_url})
        event.add("location", meeting.video_url)
        event.add("url", meeting.video_url)
    if item_count is not None:
        lines.append(_("Dossiers à l'ordre du jour : %(n)s") % {"n": item_count})
    if meeting.status == Meeting.Status.CANCELLED:
        lines.append(_("Réunion annulée."))
    elif meeting.holiday_name:
        lines.append(_("Jour férié : %(name)s") % {"name": meeting.holiday_name})
    lines.append(_("Dans TIGRE e-RCP : %(url)s") % {"url": page})
    event.add("description", "\n".join(lines))
    return event


def build_calendar(
    meetings: Iterable[Meeting], *, name: str, counts: dict[int, int] | None = None, link_for: LinkFor | None = None
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    now = timezone.now()
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, item_count=(counts or {}).get(meeting.pk), now=now, link_for=link_for))
    cal.add_missing_timezones()
    return cal.to_ical()


def meeting_ics(meeting: Meeting, *, item_count: int | None = None, link_for: LinkFor | None = None) -> bytes:
    counts = {meeting.pk: item_count} if item_count is not None else None
    return build_calendar([meeting], name=str(meeting), counts=counts, link_for=link_for)


def feed_ics(meetings: Iterable[Any], *, owner: Any, link_for: LinkFor | None = None) -> bytes:
    """The personal feed; meetings should carry ``item_count`` (annotated) to avoid a query each."""
    meetings = list(meetings)
    counts = {m.pk: getattr(m, "item_count", None) for m in meetings}
    return build_calendar(
        meetings,
        name=_("RCP TIGRE — %(name)s") % {"name": owner.display_name},
        counts={k: v for k, v in counts.items() if v is not None},
        link_for=link_for,
    )
