"""The CRPV's daily reminder of follow-ups "to declare" for too long: once a day, only when some are late."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from cases.messages import Kind as CaseKind
from cases.pharmacovigilance.tasks import remind_pv_to_declare
from tests.dates import PARIS
from tests.factories.cases import SubmittedCaseFactory
from tests.factories.pharmacovigilance import PvFollowUpFactory
from tigre.notifications import services
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))


def test_crpv_reminder_lists_follow_ups_to_declare_for_more_than_seven_days_once_a_day(victor: Any) -> None:
    now = dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)
    late = PvFollowUpFactory(
        status="to_declare", status_changed_at=now - dt.timedelta(days=8), toxicity__case=SubmittedCaseFactory()
    )
    PvFollowUpFactory(status="to_declare", status_changed_at=now - dt.timedelta(days=3))
    PvFollowUpFactory(status="declared", status_changed_at=now - dt.timedelta(days=30))
    with time_machine.travel(now, tick=False):
        assert remind_pv_to_declare() == 1
        assert remind_pv_to_declare() == 0
    with time_machine.travel(now + dt.timedelta(days=1), tick=False):
        assert remind_pv_to_declare() == 1  # still undeclared the next day: reminded again
    n = Notification.objects.filter(kind=CaseKind.PV_REMINDER).earliest("created_at")
    assert n.recipient == victor
    assert [f["reference"] for f in n.context["followups"]] == [late.toxicity.case.reference]


def test_no_crpv_reminder_when_nothing_is_late(victor: Any) -> None:
    assert remind_pv_to_declare() == 0
