"""A receipt of one's own action is e-mailed, never listed in the app (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cases.messages import Kind
from cases.services import case_submit
from cases.triage.services import triage_decline
from meetings.agenda.services import agenda_build, agenda_publish
from meetings.messages import Kind as MeetingKind
from tests.dates import day, meeting_start
from tests.factories.agenda import accepted_case
from tests.factories.cases import SubmittedCaseFactory
from tests.factories.meetings import MeetingFactory
from tests.helpers import login
from tigre.notifications import services
from tigre.notifications.models import Notification
from tigre.notifications.selectors import unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))


def test_a_receipt_of_ones_own_action_is_mailed_but_not_listed(client: Any, complete_draft: Any, alice: Any) -> None:
    case_submit(case=complete_draft, by=alice)
    receipt = Notification.objects.get(kind=Kind.REQUEST_RECEIVED, recipient=alice)
    assert receipt.own_action is True
    assert receipt.state == Notification.State.PENDING  # the e-mail still goes
    assert unread_count(alice) == 0
    login(client, alice)
    assert receipt.subject not in client.get(reverse("notifications:inbox")).content.decode()


def test_each_sender_that_knows_its_actor_marks_their_own_copy(sam: Any, alice: Any) -> None:
    """A secretariat member who also requests (a physician at the secretariat, say) and declines or schedules their
    own request gets a receipt, not an alert; the other requesters' copies stay alerts."""
    own = SubmittedCaseFactory(requester=sam)
    other = SubmittedCaseFactory(requester=alice)
    triage_decline(case=own, by=sam, reason="Hors du champ de la RCP")
    triage_decline(case=other, by=sam, reason="Hors du champ de la RCP")
    declined = dict(Notification.objects.filter(kind=Kind.DECLINED).values_list("recipient__email", "own_action"))
    assert declined == {sam.email: True, alice.email: False}


def test_publishing_an_agenda_with_ones_own_request_is_a_receipt(sam: Any, alice: Any) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(1), planned_date=day(weeks=1))
    accepted_case(reference="A", requester=sam)
    accepted_case(reference="B", requester=alice)
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    agenda_publish(meeting=meeting, by=sam, expected_version=meeting.version)
    notices = Notification.objects.filter(kind=MeetingKind.SCHEDULED)
    scheduled = dict(notices.values_list("recipient__email", "own_action"))
    assert scheduled == {sam.email: True, alice.email: False}
    assert unread_count(sam) == 0 and unread_count(alice) == 1
