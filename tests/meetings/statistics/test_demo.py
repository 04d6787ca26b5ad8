"""The demo has a year of invented activity, so `make run` shows a filled dashboard; loading it twice adds nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from meetings.models import Meeting
from meetings.statistics import periods, selectors
from meetings.statistics.demo import MARKER

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_year_of_activity_once() -> None:
    call_command("load_demo", stdout=io.StringIO())
    meetings = Meeting.objects.filter(video_url=MARKER).count()
    call_command("load_demo", stdout=io.StringIO())
    assert Meeting.objects.filter(video_url=MARKER).count() == meetings >= 50

    today = timezone.localdate()
    last_year = selectors.dashboard(periods.custom(today - dt.timedelta(days=365), today))
    assert int(last_year.figure("meetings_held").display) >= 45
    assert int(last_year.figure("requests_total").display) >= 200
    postponed = last_year.figure("postponed_share").number
    assert postponed is not None and 2 < postponed < 15  # plausible: around the 10 % target
    for key in ("delay_discussion_median", "urgent_ack_median", "pv_delay_median", "quorum_share"):
        assert last_year.figure(key).number is not None, key
    assert len(last_year.table("by_organ").rows) >= 8
