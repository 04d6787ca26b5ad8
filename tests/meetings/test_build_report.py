"""The agenda build says what it left out and why, and carries it over on request (docs/domain.md#the-build-report)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from meetings.agenda.services import agenda_build, agenda_carry_over
from meetings.lock import MeetingError
from meetings.models import AgendaItem
from tests.dates import at, day, meeting_start
from tests.factories.agenda import accepted_case
from tests.factories.meetings import MeetingFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_build_reports_a_request_submitted_after_the_cut_off(sam: Any) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    in_time = accepted_case(reference="TIGRE-2026-0001", submitted_at=at(day(-2), 23, 58))
    late = accepted_case(reference="TIGRE-2026-0002", submitted_at=at(day(-1), 0, 1))
    result = agenda_build(meeting=meeting, by=sam)
    assert [i.case_id for i in result.added] == [in_time.pk]
    assert [entry.case.pk for entry in result.left_out] == [late.pk]
    reason = result.left_out[0].reason
    assert "après la date limite" in reason and "lundi" in reason and "23\xa0h\xa059" in reason
    late.refresh_from_db()
    assert late.status == CaseStatus.ACCEPTED


def test_build_reports_overflow_when_no_next_meeting(sam: Any) -> None:
    start = meeting_start(0)
    meeting = MeetingFactory(starts_at=start, ends_at=start + dt.timedelta(minutes=10))  # room for one
    accepted_case(reference="TIGRE-2026-0001", grade=3, submitted_at=at(day(-3), 10))
    second = accepted_case(reference="TIGRE-2026-0002", grade=2, submitted_at=at(day(-3), 11))
    result = agenda_build(meeting=meeting, by=sam)
    assert [(e.case.pk, "aucune réunion suivante" in e.reason) for e in result.left_out] == [(second.pk, True)]


def test_carry_over_puts_requests_on_the_next_meeting(sam: Any) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    following = MeetingFactory(starts_at=meeting_start(1))
    late = accepted_case(reference="TIGRE-2026-0002", submitted_at=at(day(-1), 9))
    target, items = agenda_carry_over(meeting=meeting, case_ids=[late.pk], by=sam)
    assert target == following and [i.case_id for i in items] == [late.pk]
    late.refresh_from_db()
    assert late.status == CaseStatus.SCHEDULED
    with pytest.raises(MeetingError, match="plus en attente"):
        agenda_carry_over(meeting=meeting, case_ids=[late.pk], by=sam)


def test_carry_over_without_a_next_meeting_is_refused(sam: Any) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    late = accepted_case(reference="TIGRE-2026-0002", submitted_at=at(day(-1), 9))
    with pytest.raises(MeetingError, match="Aucune réunion suivante"):
        agenda_carry_over(meeting=meeting, case_ids=[late.pk], by=sam)


def test_meeting_page_shows_the_report_and_carries_over(
    client: Any, sam: Any, django_assert_max_num_queries: Any
) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    following = MeetingFactory(starts_at=meeting_start(1))
    accepted_case(reference="TIGRE-2026-0001", submitted_at=at(day(-3), 10))
    late = [accepted_case(reference=f"TIGRE-2026-001{n}", submitted_at=at(day(-1), 9 + n)) for n in range(3)]
    login(client, sam)
    response = client.post(reverse("meetings:agenda_build", args=[meeting.pk]), follow=True)
    body = html.unescape(response.content.decode())
    assert "3 demandes acceptées laissées de côté" in body
    assert "Rapport de la dernière construction" in body
    for case in late:
        assert f"Reporter {case.reference} à la RCP du" in body
    assert "Tout reporter à la RCP du" in body
    # The report's rows are read in a constant number of queries.
    with django_assert_max_num_queries(40):
        client.get(reverse("meetings:detail", args=[meeting.pk]))
    response = client.post(
        reverse("meetings:agenda_carry_over", args=[meeting.pk]), {"cases": [late[0].pk]}, follow=True
    )
    body = html.unescape(response.content.decode())
    assert "TIGRE-2026-0010 reportée à la RCP du" in body
    assert "Inscrite : RCP du" in body
    assert AgendaItem.objects.filter(meeting=following, case=late[0]).exists()
    client.post(reverse("meetings:agenda_carry_over", args=[meeting.pk]), {"cases": [c.pk for c in late]})
    assert AgendaItem.objects.filter(meeting=following).count() == 3
    # Bad input: a French message, nothing moved, no 500.
    response = client.post(reverse("meetings:agenda_carry_over", args=[meeting.pk]), {"cases": ["x"]})
    assert response.status_code == 400 and "Demande inconnue" in html.unescape(response.content.decode())
    response = client.post(reverse("meetings:agenda_carry_over", args=[meeting.pk]), {})
    assert response.status_code == 400 and "Choisissez au moins une demande" in html.unescape(response.content.decode())
    client.post(reverse("meetings:agenda_carry_over", args=[meeting.pk]), {"action": "dismiss"})
    body = html.unescape(client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode())
    assert "Rapport de la dernière construction" not in body


@pytest.mark.parametrize("who", ["alice", "rita", "victor"])
def test_only_meeting_editors_carry_over(client: Any, request: pytest.FixtureRequest, who: str) -> None:
    meeting = MeetingFactory(starts_at=meeting_start(0))
    MeetingFactory(starts_at=meeting_start(1))
    late = accepted_case(reference="TIGRE-2026-0002", submitted_at=at(day(-1), 9))
    login(client, request.getfixturevalue(who))
    response = client.post(reverse("meetings:agenda_carry_over", args=[meeting.pk]), {"cases": [late.pk]})
    assert response.status_code == 403
    late.refresh_from_db()
    assert late.status == CaseStatus.ACCEPTED
