"""Calendar: the .ics of a meeting parsed back with icalendar, the personal feed and its revocation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings.models import CalendarFeed, Meeting, Participant
from tests.factories.meetings import MeetingFactory
from tests.factories.session import CalendarFeedFactory, ParticipantFactory, scheduled_item
from tests.helpers import login

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _events(content: bytes):
    cal = Calendar.from_ical(content)
    return cal, list(cal.walk("VEVENT"))


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(dt.date(2026, 12, 2), 16), (dt.date(2027, 7, 7), 15)],  # winter CET (UTC+1), summer CEST (UTC+2)
)
def test_meeting_ics_parses_back_at_17h_paris(client, sam, day, utc_hour):
    meeting = MeetingFactory(
        starts_at=dt.datetime.combine(day, dt.time(17, 0), tzinfo=PARIS),
        ends_at=dt.datetime.combine(day, dt.time(18, 30), tzinfo=PARIS),
        video_url="https://visio.tigre.invalid/rcp-test",
    )
    scheduled_item(meeting, question="Secret médical à ne pas exporter")
    login(client, sam)
    response = client.get(reverse("meetings:ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal, events = _events(response.content)
    assert len(events) == 1
    event = events[0]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.tzinfo is not None and start.astimezone(PARIS).replace(tzinfo=None) == dt.datetime.combine(
        day, dt.time(17, 0)
    )
    assert end - start == dt.timedelta(minutes=90)
    assert start.astimezone(dt.UTC).hour == utc_hour
    assert str(event["dtstart"].params.get("TZID")) == "Europe/Paris"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert "RCP TIGRE" in str(event["summary"])
    description = str(event["description"])
    assert "https://visio.tigre.invalid/rcp-test" in description and "Dossiers à l'ordre du jour : 1" in description
    assert "Secret médical" not in response.content.decode()
    assert str(event["uid"]).startswith(f"rcp-{meeting.pk}@")


def test_cancelled_meeting_is_cancelled_in_the_calendar(client, cora):
    meeting = MeetingFactory(status=Meeting.Status.CANCELLED)
    login(client, cora)
    _cal, events = _events(client.get(reverse("meetings:ics", args=[meeting.pk])).content)
    assert str(events[0]["status"]) == "CANCELLED"


def test_calendar_settings_create_then_revoke_the_feed(client, rita):
    login(client, rita)
    page = client.get(reverse("meetings:calendar_settings"))
    assert page.status_code == 200 and "Créer mon adresse d" in page.content.decode()
    assert client.post(reverse("meetings:calendar_settings"), {"action": "create"}).status_code == 302
    feed = CalendarFeed.objects.get(user=rita, revoked_at__isnull=True)
    url = reverse("meetings:calendar_feed", args=[feed.token])
    assert url in client.get(reverse("meetings:calendar_settings")).content.decode()

    # Renewing gives a new token and kills the old one.
    client.post(reverse("meetings:calendar_settings"), {"action": "create"})
    new = CalendarFeed.objects.get(user=rita, revoked_at__isnull=True)
    assert new.token != feed.token
    client.logout()
    assert client.get(url).status_code == 404
    new_url = reverse("meetings:calendar_feed", args=[new.token])
    assert client.get(new_url).status_code == 200

    login(client, rita)
    client.post(reverse("meetings:calendar_settings"), {"action": "revoke"})
    client.logout()
    assert client.get(new_url).status_code == 404
    assert not CalendarFeed.objects.filter(user=rita, revoked_at__isnull=True).exists()


def test_unknown_action_is_400(client, rita):
    login(client, rita)
    assert client.post(reverse("meetings:calendar_settings"), {"action": "hack"}).status_code == 400
    assert not CalendarFeed.objects.exists()


def test_feed_needs_no_login_and_lists_the_users_meetings_only(client, rita, cora):
    invited = MeetingFactory()
    coordinated = MeetingFactory()
    coordinated.coordinators.add(rita)
    not_mine = MeetingFactory()
    uninvited_row = MeetingFactory()
    ParticipantFactory(meeting=invited, user=rita, role=Participant.Role.REFERENT)
    ParticipantFactory(meeting=uninvited_row, user=rita, invited=False)
    feed = CalendarFeedFactory(user=rita)
    response = client.get(reverse("meetings:calendar_feed", args=[feed.token]))  # anonymous
    assert response.status_code == 200
    _cal, events = _events(response.content)
    uids = {str(e["uid"]).split("@")[0] for e in events}
    assert uids == {f"rcp-{invited.pk}", f"rcp-{coordinated.pk}"}
    assert f"rcp-{not_mine.pk}" not in uids


def test_secretariat_feed_lists_every_upcoming_meeting(client, sam):
    meetings = [MeetingFactory() for _ in range(3)]
    feed = CalendarFeedFactory(user=sam)
    _cal, events = _events(client.get(reverse("meetings:calendar_feed", args=[feed.token])).content)
    assert {str(e["uid"]).split("@")[0] for e in events} == {f"rcp-{m.pk}" for m in meetings}


def test_unknown_revoked_or_inactive_tokens_are_404(client, rita):
    assert client.get(reverse("meetings:calendar_feed", args=["nope"])).status_code == 404
    revoked = CalendarFeedFactory(user=rita, revoked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert client.get(reverse("meetings:calendar_feed", args=[revoked.token])).status_code == 404
    live = CalendarFeedFactory(user=rita)
    rita.is_active = False
    rita.save(update_fields=["is_active"])
    assert client.get(reverse("meetings:calendar_feed", args=[live.token])).status_code == 404


def test_feed_query_count_does_not_grow_with_meetings(client, sam, django_assert_max_num_queries):
    for _ in range(10):
        MeetingFactory()
    feed = CalendarFeedFactory(user=sam)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("meetings:calendar_feed", args=[feed.token])).status_code == 200
