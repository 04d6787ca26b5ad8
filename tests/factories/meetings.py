from __future__ import annotations

import datetime as dt

import factory

from meetings.models import AgendaItem, Meeting
from tests.dates import meeting_start, started_meeting_start

from .cases import SubmittedCaseFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    # Successive Wednesdays 17:00 Europe/Paris from tests.dates.BASE_WEDNESDAY (always ahead of the real clock).
    starts_at = factory.Sequence(meeting_start)
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + dt.timedelta(minutes=90))
    video_url = "https://visio.tigre.invalid/rcp"


class StartedMeetingFactory(MeetingFactory):
    """A meeting that has already begun (successive Wednesdays 17:00 going back from last Wednesday): the session
    may record attendance, avis and validation."""

    starts_at = factory.Sequence(started_meeting_start)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    case = factory.SubFactory(SubmittedCaseFactory)
    position = factory.Sequence(lambda n: n)
