from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from meetings.models import AgendaItem, Meeting

from .cases import SubmittedCaseFactory

PARIS = ZoneInfo("Europe/Paris")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    # Successive Wednesdays 17:00 Europe/Paris from 2 December 2026.
    starts_at = factory.Sequence(lambda n: dt.datetime(2026, 12, 2, 17, 0, tzinfo=PARIS) + dt.timedelta(weeks=n))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + dt.timedelta(minutes=90))
    video_url = "https://visio.tigre.invalid/rcp"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    case = factory.SubFactory(SubmittedCaseFactory)
    position = factory.Sequence(lambda n: n)
