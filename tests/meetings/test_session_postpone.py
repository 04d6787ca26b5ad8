"""Postponing a case to the next meeting (item outcome, next agenda, requester told)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Avis, CaseStatus
from meetings.lock import MeetingError
from meetings.messages import Kind
from meetings.models import AgendaItem
from meetings.session import services
from meetings.session.selectors import quorum_status
from tests.dates import french_long_date
from tests.factories.meetings import MeetingFactory
from tests.factories.session import make_session, scheduled_item
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_flagged_case_is_postponed_to_the_next_meeting_and_requester_told(cora):
    s = make_session(coordinator=cora, cases=1)
    later = MeetingFactory()
    following = MeetingFactory()
    skin_item = scheduled_item(s.meeting, category=s.skin)
    assert quorum_status(meeting=s.meeting).items[skin_item.pk].flagged

    new_item = services.item_postpone(item=skin_item, reason="Pas de dermatologue présent", by=cora)

    skin_item.refresh_from_db()
    assert skin_item.outcome == AgendaItem.Outcome.POSTPONED
    assert skin_item.postponed_reason == "Pas de dermatologue présent"
    assert new_item.meeting == later and new_item.meeting != following
    assert new_item.case_id == skin_item.case_id and new_item.outcome == AgendaItem.Outcome.PLANNED
    case = skin_item.case
    case.refresh_from_db()
    assert case.status == CaseStatus.SCHEDULED
    note = Notification.objects.get(kind=Kind.POSTPONED)
    assert (
        note.recipient == case.requester
        and note.about == case
        and note.context["meeting_date"] == french_long_date(timezone.localdate(later.starts_at))
    )
    assert note.context["reason"] == "Pas de dermatologue présent"


def test_postponing_drops_the_draft_avis_and_the_case_is_no_longer_discussed(cora):
    s = make_session(coordinator=cora, cases=1)
    MeetingFactory()
    item = s.items[0]
    services.avis_save(item=item, by=cora, data={"answer": "Projet", "ici_decision": "hold"})
    services.item_postpone(item=item, reason="Dossier incomplet", by=cora)
    assert not Avis.objects.filter(case=item.case, agenda_item__meeting=s.meeting).exists()
    item.case.refresh_from_db()
    assert item.case.status == CaseStatus.SCHEDULED
    # A postponed item takes no avis here.
    with pytest.raises(MeetingError, match="reporté"):
        services.avis_save(item=item, by=cora, data={"answer": "Trop tard"})


def test_postpone_needs_a_reason_and_a_next_meeting(cora):
    s = make_session(coordinator=cora, cases=1)
    item = s.items[0]
    with pytest.raises(MeetingError, match="motif"):
        services.item_postpone(item=item, reason="  ", by=cora)
    with pytest.raises(MeetingError, match="Aucune réunion suivante"):
        services.item_postpone(item=item, reason="Absent", by=cora)
    item.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.PLANNED
    assert not Notification.objects.filter(kind=Kind.POSTPONED).exists()


def test_postponing_twice_is_refused(cora):
    s = make_session(coordinator=cora, cases=1)
    MeetingFactory()
    MeetingFactory()
    services.item_postpone(item=s.items[0], reason="Absent", by=cora)
    with pytest.raises(MeetingError, match="déjà reporté"):
        services.item_postpone(item=s.items[0], reason="Absent", by=cora)
