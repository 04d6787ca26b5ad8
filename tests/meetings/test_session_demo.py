"""The session demo: last week's meeting held and validated, idempotent, referents fallback."""

from __future__ import annotations

import datetime as dt
import html
import io
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from cases.models import Avis, CaseStatus
from cases.pharmacovigilance.models import PvFollowUp, PvStatus
from meetings import demo_session
from meetings.messages import Kind
from meetings.models import AgendaItem, Meeting, Participant
from meetings.session.selectors import quorum_status
from referents.demo import load_centres
from tests.factories.meetings import MeetingFactory
from tests.helpers import login
from tigre.accounts.demo import load as load_accounts
from tigre.accounts.models import User
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db

TIGRE_DEMO = {**settings.TIGRE, "DEMO": True}


@pytest.mark.parametrize(
    ("today", "expected"),
    [(dt.date(2026, 11, 28), dt.date(2026, 11, 25)), (dt.date(2026, 11, 25), dt.date(2026, 11, 18))],
)
def test_last_wednesday(today, expected):
    assert demo_session.last_wednesday(today) == expected


@override_settings(TIGRE=TIGRE_DEMO)
def test_demo_meeting_is_validated_with_four_avis_and_two_to_declare():
    with time_machine.travel(dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)):
        load_centres(password="x")
        load_accounts(password="x")
        meeting = demo_session.load(password="x", stdout=io.StringIO())
        demo_session.load(password="x", stdout=io.StringIO())  # idempotent

    assert Meeting.objects.filter(status=Meeting.Status.VALIDATED).count() == 1
    assert meeting.status == Meeting.Status.VALIDATED
    assert meeting.starts_at == dt.datetime(2026, 11, 25, 17, 0, tzinfo=demo_session.PARIS)
    assert meeting.validated_at.date() == dt.date(2026, 11, 25)
    items = AgendaItem.objects.filter(meeting=meeting)
    assert items.count() == 4 and {i.outcome for i in items} == {AgendaItem.Outcome.DISCUSSED}
    avis = Avis.objects.filter(agenda_item__meeting=meeting)
    assert avis.count() == 4 and {a.state for a in avis} == {Avis.State.VALIDATED}
    assert {a.case.status for a in avis} == {CaseStatus.AVIS_VALIDATED}
    assert sum(1 for a in avis if a.case.requester.email == "clinicien@demo.tigre") == 2
    # Exactly two toxicities flagged to the CRPV.
    assert PvFollowUp.objects.filter(status=PvStatus.TO_DECLARE).count() == 2
    assert Notification.objects.filter(kind=Kind.AVIS_AVAILABLE).count() == 4
    # Attendance taken, quorum reached, every case covered by a referent of its organ but one, given with an exception.
    assert Participant.objects.filter(meeting=meeting, present=True).count() >= 4
    q = quorum_status(meeting=meeting)
    assert q.ok
    (uncovered,) = q.flagged_items
    exception = Avis.objects.get(agenda_item=uncovered)
    assert exception.organ_exception_reason.startswith("Pneumologue excusé")
    assert meeting.attendance_record["items"][str(uncovered)]["missing"] == ["Poumon"]
    # The urgent opinion given on the TAG track, ratified (amended) by the board; its author was invited.
    ratified = Avis.objects.select_related("case").get(urgent_ratification=Avis.UrgentRatification.AMENDED)
    assert ratified.case.urgent_opinion and ratified.case.urgent_opinion_by is not None
    assert AgendaItem.objects.get(avis=ratified).kind == AgendaItem.Kind.URGENT_RATIFICATION
    assert Participant.objects.filter(meeting=meeting, user=ratified.case.urgent_opinion_by).exists()
    # Every avis says whether it conforms to a guideline; every patient was informed.
    assert all(a.conformity for a in avis) and all(a.case.patient_informed for a in avis)
    # Without the directory demo, invented referents were created to cover the organs.
    assert Participant.objects.filter(meeting=meeting, user__email="dr.garnier@demo.tigre", present=True).exists()


@override_settings(TIGRE=TIGRE_DEMO)
def test_the_referent_and_the_crpv_are_invited_to_the_coming_meeting(client: Any) -> None:
    """As the agenda's build would invite them (the CRPV attends every meeting): their *Mes réunions* has content
    in the demo before the secretariat builds the agenda."""
    with time_machine.travel(dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)):
        coming = MeetingFactory(
            starts_at=dt.datetime(2026, 12, 2, 17, 0, tzinfo=demo_session.PARIS), planned_date=dt.date(2026, 12, 2)
        )
        load_centres(password="x")
        load_accounts(password="x")
        demo_session.load(password="x", stdout=io.StringIO())
        demo_session.load(password="x", stdout=io.StringIO())  # idempotent
        invited = set(
            Participant.objects.filter(meeting=coming).values_list("user__email", "role", "invited").distinct()
        )
        assert {
            ("referent@demo.tigre", Participant.Role.REFERENT, True),
            ("crpv@demo.tigre", Participant.Role.PHARMACOVIGILANCE, True),
        } <= invited
        assert Participant.objects.filter(meeting=coming, user__email="crpv@demo.tigre").count() == 1
        login(client, User.objects.get(email="crpv@demo.tigre"))
        page = client.get(reverse("meetings:my_meetings")).content.decode()
    assert "2 décembre 2026" in page and "aucune RCP à venir" not in page
    # Nothing of grade 3 yet on that agenda: said once, in words, without a "0 dossier" heading above it.
    assert "Aucun dossier de cette réunion n'a de toxicité de grade 3" in html.unescape(page)
    assert "0 dossier" not in page
