"""The meetings demo step: 8 meetings ahead, two coordinators each, next Wednesday's agenda left to build."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings import demo
from meetings.models import AgendaItem, Meeting
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_demo_is_idempotent_and_leaves_the_agenda_to_build(settings: Any) -> None:
    UserFactory(email="coordinateur@demo.tigre", roles=["coordinator"])
    UserFactory(email="secretariat@demo.tigre", roles=["secretariat"])
    # 20 December 2030: Christmas and New Year's Day 2031 fall on Wednesdays.
    with time_machine.travel(dt.datetime(2030, 12, 20, 10, 0, tzinfo=PARIS), tick=False):
        out = StringIO()
        first = demo.load(password="tigre-demo-password", stdout=out)
        again = demo.load(password="tigre-demo-password", stdout=StringIO())
    assert len(first) == 8 and [m.pk for m in again] == [m.pk for m in first]
    assert Meeting.objects.count() == 8
    assert "Noël" in out.getvalue() and "Jour de l'an" in out.getvalue()
    emails = {
        frozenset(m.coordinators.values_list("email", flat=True))
        for m in Meeting.objects.prefetch_related("coordinators")
    }
    assert emails == {frozenset({"coordinateur@demo.tigre", "pr.roussel@demo.tigre"})}
    second = Meeting.objects.get(coordinators__email="pr.roussel@demo.tigre", planned_date=dt.date(2030, 12, 25))
    assert second.holiday_name == "Noël"
    assert not AgendaItem.objects.exists()
    roussel = second.coordinators.get(email="pr.roussel@demo.tigre")
    assert roussel.has_role("coordinator") and roussel.check_password("tigre-demo-password")
