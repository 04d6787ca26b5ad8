"""The referents' view: their upcoming meetings, the cases that need them, pseudonymised; nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.models import Attachment
from meetings.models import AgendaItemReferent, Participant
from tests.dates import age_on, at, day, meeting_start
from tests.factories.cases import DrugFactory, ImmunotherapyLineFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import OrganCategoryFactory, ReferentFactory
from tests.factories.session import ParticipantFactory, scheduled_item
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db

NOW = at(day(-4), 13)  # the Saturday before the meeting, BASE_WEDNESDAY


@pytest.fixture
def setup(rita):
    referent = ReferentFactory(user=rita, specialty="cardiology")
    heart = OrganCategoryFactory(code="coeur-rv", label="Cœur et vaisseaux", specialty="cardiology")
    skin = OrganCategoryFactory(code="peau-rv", label="Peau", specialty="dermatology")
    meeting = MeetingFactory(starts_at=meeting_start())
    ParticipantFactory(meeting=meeting, user=rita, role=Participant.Role.REFERENT)
    mine = scheduled_item(meeting, category=heart, grade=3, question="Reprise possible après myocardite ?")
    mine.case.patient.birth_name = "Zorglub"
    mine.case.patient.save(update_fields=["birth_name"])
    ImmunotherapyLineFactory(case=mine.case, drugs=[DrugFactory(name="ipilimumab", target="CTLA-4")])
    AgendaItemReferent.objects.create(item=mine, referent=referent, category=heart)
    other = scheduled_item(meeting, category=skin, question="Question de dermatologie")
    not_invited = MeetingFactory(starts_at=meeting_start(1))
    secret = scheduled_item(not_invited, category=heart, question="Réunion où Rita n'est pas invitée")
    return {"meeting": meeting, "mine": mine, "other": other, "not_invited": not_invited, "secret": secret}


def test_referent_sees_upcoming_meetings_with_cases_that_need_them_pseudonymised(client, rita, setup):
    attachment = Attachment.objects.create(
        case=setup["mine"].case,
        file="attachments/x.pdf",
        original_name="echo-coeur.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=setup["mine"].case.requester,
    )
    with time_machine.travel(NOW):
        login(client, rita)
        response = client.get(reverse("meetings:my_meetings"))
    assert response.status_code == 200
    body = response.content.decode()
    case = setup["mine"].case
    assert case.patient.pseudonym in body
    assert "Zorglub" not in body and case.patient.first_names not in body  # no name on the board's screens
    assert f"{age_on(dt.date(1958, 4, 12), day())} ans" in body  # PatientFactory's birth date, on the meeting day
    assert "Reprise possible après myocardite ?" in body
    assert "ipilimumab" in body and "pembrolizumab" in body
    assert "G3" in body and "Votre avis : Cœur et vaisseaux" in body
    assert "echo-coeur.pdf" in body
    # The link goes through the cases' access-checked download view.
    assert reverse("cases:attachment_download", args=[case.pk, attachment.pk]) in body
    assert "1 autre dossier" in body  # the rest of the agenda, compact
    assert "Réunion où Rita n'est pas invitée" not in body
    assert AccessLog.objects.filter(user=rita, case_id=case.pk, action="view_case").exists()


def test_past_meetings_are_not_listed(client, rita, setup):
    with time_machine.travel(at(day(1), 13)):
        login(client, rita)
        body = client.get(reverse("meetings:my_meetings")).content.decode()
    assert "aucune RCP à venir" in body
    assert setup["mine"].case.patient.pseudonym not in body


def test_referent_opens_an_invited_meeting_but_not_another(client, rita, setup):
    login(client, rita)
    assert client.get(reverse("meetings:my_meeting", args=[setup["meeting"].pk])).status_code == 200
    assert client.get(reverse("meetings:my_meeting", args=[setup["not_invited"].pk])).status_code == 404
    assert client.get(reverse("meetings:ics", args=[setup["not_invited"].pk])).status_code == 404
    assert client.get(reverse("meetings:ics", args=[setup["meeting"].pk])).status_code == 200


def test_uninvited_participant_row_does_not_open_the_meeting(client, rita, setup):
    Participant.objects.filter(user=rita).update(invited=False)
    login(client, rita)
    assert client.get(reverse("meetings:my_meeting", args=[setup["meeting"].pk])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "sam"])
def test_non_referents_get_403(client, who, request, setup):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("meetings:my_meetings")).status_code == 403
    assert client.get(reverse("meetings:my_meeting", args=[setup["meeting"].pk])).status_code == 403


def test_clinician_cannot_get_a_meeting_ics(client, alice, setup):
    login(client, alice)
    assert client.get(reverse("meetings:ics", args=[setup["meeting"].pk])).status_code == 404


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


def test_referent_view_query_count_is_the_same_for_5_and_30_cases(client, rita, setup):
    referent = rita.referent
    heart = setup["mine"].needed_referents.get().category

    def grow(n):
        for _ in range(n):
            item = scheduled_item(setup["meeting"], category=heart)
            AgendaItemReferent.objects.create(item=item, referent=referent, category=heart)

    grow(3)  # 4 of hers + 1 other = 5
    url = reverse("meetings:my_meetings")
    with time_machine.travel(NOW):
        login(client, rita)
        client.get(url)
        with_5, response = _count(client, url)
        assert response.content.decode().count('class="card case-summary') == 4
        grow(25)
        with_30, response = _count(client, url)
        assert response.content.decode().count('class="card case-summary') == 29
    assert with_30 == with_5
