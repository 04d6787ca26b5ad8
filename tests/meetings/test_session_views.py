"""Session pages: permissions, attendance with htmx, the avis form, postponement, validation, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Avis, CaseStatus
from meetings.models import AgendaItem, Meeting, Participant
from tests.factories.accounts import UserFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.session import make_session, scheduled_item
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _url(name, *args):
    return reverse(f"meetings:{name}", args=args)


@pytest.fixture
def s(cora):
    return make_session(coordinator=cora, cases=2)


def test_session_page_shows_attendance_quorum_and_cases(client, s, cora):
    login(client, cora)
    response = client.get(_url("session", s.meeting.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Feuille de présence" in body and "Quorum atteint" in body
    for item in s.items:
        assert item.case.patient.pseudonym in body
        assert item.case.patient.birth_name not in body  # pseudonymised for the shared screen
    assert AccessLog.objects.filter(user=cora, action="view_case").count() == 2


def test_secretariat_sees_the_session_and_records_attendance_but_not_avis(client, s, sam):
    login(client, sam)
    assert client.get(_url("session", s.meeting.pk)).status_code == 200
    p = s.cardio_participant
    response = client.post(_url("attendance", s.meeting.pk, p.pk), {"present": "0"}, **HX)
    assert response.status_code == 200
    assert Participant.objects.get(pk=p.pk).present is False
    item = s.items[0]
    response = client.post(_url("session_item", s.meeting.pk, item.pk), {"answer": "x", "ici_decision": "stop"})
    assert response.status_code == 403
    assert client.post(_url("validate", s.meeting.pk)).status_code == 403
    assert client.post(_url("postpone", s.meeting.pk, item.pk), {"reason": "x"}).status_code == 403
    assert not Avis.objects.exists()


@pytest.mark.parametrize("who", ["alice", "rita", "victor"])
def test_clinicians_referents_and_crpv_cannot_open_the_session(client, s, who, request):
    user = request.getfixturevalue(who)
    login(client, user)
    assert client.get(_url("session", s.meeting.pk)).status_code == 403
    p = s.cardio_participant
    assert client.post(_url("attendance", s.meeting.pk, p.pk), {"present": "0"}).status_code == 403
    assert Participant.objects.get(pk=p.pk).present is True


def test_attendance_toggle_with_htmx_returns_the_refreshed_body(client, s, cora):
    login(client, cora)
    p = s.cardio_participant
    response = client.post(_url("attendance", s.meeting.pk, p.pk), {"present": "0"}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Quorum non atteint" in body  # cardiology left: 2 specialties
    assert Participant.objects.get(pk=p.pk).present is False


def test_attendance_without_htmx_redirects_back(client, s, cora):
    login(client, cora)
    response = client.post(_url("attendance", s.meeting.pk, s.cardio_participant.pk), {"present": "1"})
    assert response.status_code == 302 and response["Location"] == _url("session", s.meeting.pk)


def test_bad_attendance_value_is_a_400_with_a_french_message(client, s, cora):
    login(client, cora)
    response = client.post(_url("attendance", s.meeting.pk, s.cardio_participant.pk), {"present": "peut-être"}, **HX)
    assert response.status_code == 400
    assert "Choix de présence invalide" in response.content.decode()


def test_participant_of_another_meeting_is_404(client, s, cora):
    other = make_session(coordinator=cora)
    login(client, cora)
    response = client.post(_url("attendance", s.meeting.pk, other.cardio_participant.pk), {"present": "0"}, **HX)
    assert response.status_code == 404


def test_search_and_add_a_participant(client, s, cora):
    guest = UserFactory(first_name="Hélène", last_name="Hépato", specialty="hepatology")
    login(client, cora)
    found = client.get(_url("participant_search", s.meeting.pk), {"q": "hépa"})
    assert guest.display_name in found.content.decode()
    # Already on the sheet: not offered again.
    assert (
        s.cardiologist.last_name.upper()
        not in client.get(_url("participant_search", s.meeting.pk), {"q": s.cardiologist.last_name}).content.decode()
    )
    response = client.post(_url("participant_add", s.meeting.pk), {"user": guest.pk}, **HX)
    assert response.status_code == 200
    p = Participant.objects.get(meeting=s.meeting, user=guest)
    assert p.present is True and p.invited is False
    assert client.post(_url("participant_add", s.meeting.pk), {"user": 999999}, **HX).status_code == 400


def test_avis_form_saves_a_draft_and_the_case_is_discussed(client, s, cora):
    login(client, cora)
    item = s.items[0]
    assert client.get(_url("session_item", s.meeting.pk, item.pk)).status_code == 200
    response = client.post(
        _url("session_item", s.meeting.pk, item.pk),
        {
            "answer": "Suspendre le pembrolizumab, corticothérapie.",
            "ici_decision": "hold",
            "rechallenge": "possible",
            "steroids": "on",
            "steroids_dose": "prednisone 1 mg/kg/j",
            "contributors": [s.cardiologist.pk],
            "declare_pv": "on",
            "save_next": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("session_item", s.meeting.pk, s.items[1].pk)
    avis = Avis.objects.get(case=item.case, agenda_item__meeting=s.meeting)
    assert (avis.ici_decision, avis.rechallenge, avis.steroids, avis.declare_pv) == ("hold", "possible", True, True)
    assert list(avis.contributors.all()) == [s.cardiologist]
    item.case.refresh_from_db()
    assert item.case.status == CaseStatus.DISCUSSED


def test_avis_form_errors_are_french_and_400(client, s, cora):
    absent = UserFactory()
    login(client, cora)
    item = s.items[0]
    response = client.post(
        _url("session_item", s.meeting.pk, item.pk),
        {
            "answer": "",
            "ici_decision": "",
            "steroids": "on",
            "contributors": [absent.pk],
            "follow_up_date": "2001-01-01",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "La réponse de la RCP est obligatoire" in body
    assert "Précisez la dose de corticoïdes" in body
    assert "La date de réévaluation doit suivre la réunion" in body
    assert not Avis.objects.exists()


def test_postpone_view(client, s, cora):
    later = MeetingFactory()
    login(client, cora)
    item = s.items[0]
    assert client.post(_url("postpone", s.meeting.pk, item.pk), {"reason": ""}).status_code == 400
    response = client.post(_url("postpone", s.meeting.pk, item.pk), {"reason": "Cardiologue absent"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.POSTPONED
    assert AgendaItem.objects.filter(meeting=later, case=item.case).exists()


def test_validate_view_refuses_with_the_list_then_validates(client, s, cora):
    login(client, cora)
    response = client.post(_url("validate", s.meeting.pk))
    assert response.status_code == 400
    body = response.content.decode()
    assert "ni avis ni report" in body and s.items[0].case.reference in body
    for item in s.items:
        client.post(_url("session_item", s.meeting.pk, item.pk), {"answer": "Arrêt", "ici_decision": "stop"})
    response = client.post(_url("validate", s.meeting.pk))
    assert response.status_code == 302
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.VALIDATED


def test_validated_meeting_refuses_every_edit_through_the_views(client, s, cora):
    login(client, cora)
    for item in s.items:
        client.post(_url("session_item", s.meeting.pk, item.pk), {"answer": "Arrêt", "ici_decision": "stop"})
    client.post(_url("validate", s.meeting.pk))
    guest = UserFactory()
    p = s.cardio_participant
    attempts = [
        (_url("attendance", s.meeting.pk, p.pk), {"present": "0"}),
        (_url("participant_add", s.meeting.pk), {"user": guest.pk}),
        (_url("session_item", s.meeting.pk, s.items[0].pk), {"answer": "Changer", "ici_decision": "continue"}),
        (_url("postpone", s.meeting.pk, s.items[1].pk), {"reason": "x"}),
        (_url("validate", s.meeting.pk), {}),
    ]
    for url, data in attempts:
        response = client.post(url, data, **HX)
        assert response.status_code == 409, url
        assert "verrouillée" in response.content.decode()
    assert Participant.objects.get(pk=p.pk).present is True
    assert not Participant.objects.filter(user=guest).exists()
    assert set(Avis.objects.values_list("answer", flat=True)) == {"Arrêt"}
    assert not AgendaItem.objects.filter(outcome=AgendaItem.Outcome.POSTPONED).exists()
    page = client.get(_url("session", s.meeting.pk)).content.decode()
    assert "Réunion validée" in page and "Valider et verrouiller" not in page


def _grow(s, n):
    for _ in range(n):
        scheduled_item(s.meeting, category=s.heart)


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


def test_session_page_query_count_is_the_same_for_5_and_30_cases(client, s, cora, django_assert_max_num_queries):
    _grow(s, 3)
    login(client, cora)
    url = _url("session", s.meeting.pk)
    client.get(url)  # warm the session and permission caches
    with_5, response = _count(client, url)
    assert response.content.decode().count("grade-badge") == 5
    _grow(s, 25)
    with_30, response = _count(client, url)
    assert response.content.decode().count("grade-badge") == 30
    assert with_30 == with_5
    with django_assert_max_num_queries(25):
        client.get(url)


def test_session_item_page_query_count_is_the_same_for_5_and_30_cases(client, s, cora):
    _grow(s, 3)
    login(client, cora)
    url = _url("session_item", s.meeting.pk, s.items[0].pk)
    client.get(url)
    with_5, _response = _count(client, url)
    _grow(s, 25)
    with_30, _response = _count(client, url)
    assert with_30 == with_5
