"""Periodic reminders about meetings, called directly with frozen time. Each run twice sends once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from cases.models import CaseStatus
from meetings.messages import Kind as MeetingKind
from meetings.models import AgendaItemReferent
from meetings.tasks import remind_incomplete_before_cutoff, remind_meeting_tomorrow, send_cutoff_summary
from tests.dates import at, day
from tests.factories.cases import CaseFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import AgendaItemFactory
from tests.factories.referents import ReferentFactory, ToxicityEventFactory
from tigre.notifications import services
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db
# The Monday (cut-off day) and the Tuesday before the meeting fixture's Wednesday (BASE_WEDNESDAY).
MONDAY_NOON = at(day(-2), 12)
TUESDAY_0005 = at(day(-1), 0, 5)
TUESDAY_1700 = at(day(-1), 17)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))


def test_incomplete_requests_reminder_on_monday_noon_lists_each_requesters_cases(
    meeting: Any, alice: Any, bob: Any
) -> None:
    with time_machine.travel(MONDAY_NOON - dt.timedelta(days=3), tick=False):
        draft = CaseFactory(requester=alice)
        asked = SubmittedCaseFactory(requester=alice, status=CaseStatus.INFO_REQUESTED)
        SubmittedCaseFactory(requester=bob, status=CaseStatus.ACCEPTED)  # complete: no reminder
    with time_machine.travel(MONDAY_NOON - dt.timedelta(days=90), tick=False):
        CaseFactory(requester=bob)  # abandoned draft
    with time_machine.travel(MONDAY_NOON, tick=False):
        assert remind_incomplete_before_cutoff() == 1
        assert remind_incomplete_before_cutoff() == 0  # run twice: sent once
    n = Notification.objects.get(kind=MeetingKind.INCOMPLETE_BEFORE_CUTOFF)
    assert n.recipient == alice and f":meeting{meeting.pk}:" in n.key
    assert sorted(c["case_id"] for c in n.context["cases"]) == sorted([draft.pk, asked.pk])
    assert n.context["cutoff"] == f"{MONDAY_NOON:%d/%m/%Y} 23:59"


def test_no_incomplete_reminder_when_the_cutoff_is_far(meeting: Any, alice: Any) -> None:
    CaseFactory(requester=alice)
    with time_machine.travel(MONDAY_NOON - dt.timedelta(days=4), tick=False):
        assert remind_incomplete_before_cutoff() == 0


def test_cutoff_summary_tells_the_secretariat_accepted_incomplete_and_organs_without_referent(
    meeting: Any, sam: Any, heart: Any, cardio_primary: Any
) -> None:
    lungs = ToxicityEventFactory(category__code="lung", category__label="Poumon").category
    with time_machine.travel(TUESDAY_0005 - dt.timedelta(days=2), tick=False):
        on_heart = SubmittedCaseFactory(status=CaseStatus.ACCEPTED, highest_grade=3)
        ToxicityFactory(case=on_heart, event__category=heart, grade=3)
        on_lungs = SubmittedCaseFactory(status=CaseStatus.ACCEPTED, highest_grade=2)
        ToxicityFactory(case=on_lungs, event__category=lungs, grade=2)
        waiting = SubmittedCaseFactory(status=CaseStatus.INFO_REQUESTED)
        fresh = SubmittedCaseFactory()
    with time_machine.travel(TUESDAY_0005, tick=False):
        assert send_cutoff_summary() == 1
        assert send_cutoff_summary() == 0
    n = Notification.objects.get(kind=MeetingKind.CUTOFF_SUMMARY)
    assert n.recipient == sam and f":meeting{meeting.pk}:" in n.key
    assert [c["reference"] for c in n.context["accepted"]] == [on_heart.reference, on_lungs.reference]
    assert [c["reference"] for c in n.context["info_requested"]] == [waiting.reference]
    assert [c["reference"] for c in n.context["to_triage"]] == [fresh.reference]
    assert n.context["gaps"] == ["Poumon"]  # the heart has its cardiologist


def test_no_summary_before_the_cutoff(meeting: Any, sam: Any) -> None:
    with time_machine.travel(MONDAY_NOON, tick=False):
        assert send_cutoff_summary() == 0


def test_day_before_reminder_goes_to_needed_referents_with_their_cases_only(
    meeting: Any, heart: Any, cardio_primary: Any
) -> None:
    other = ReferentFactory(user__email="gaston@chu-reims.test")
    mine = AgendaItemFactory(meeting=meeting)
    theirs = AgendaItemFactory(meeting=meeting)
    AgendaItemReferent.objects.create(item=mine, referent=cardio_primary, category=heart)
    AgendaItemReferent.objects.create(item=theirs, referent=other, category=heart)
    with time_machine.travel(TUESDAY_1700, tick=False):
        assert remind_meeting_tomorrow() == 2
        assert remind_meeting_tomorrow() == 0
    from tigre.notifications.delivery import build_message

    n = Notification.objects.get(kind=MeetingKind.MEETING_REMINDER, recipient=cardio_primary.user)
    body = build_message(n).body
    assert mine.case.reference in body and theirs.case.reference not in body
    assert "demain" in body


def test_no_day_before_reminder_two_days_ahead(meeting: Any, heart: Any, cardio_primary: Any) -> None:
    item = AgendaItemFactory(meeting=meeting)
    AgendaItemReferent.objects.create(item=item, referent=cardio_primary, category=heart)
    with time_machine.travel(TUESDAY_1700 - dt.timedelta(days=1), tick=False):
        assert remind_meeting_tomorrow() == 0
