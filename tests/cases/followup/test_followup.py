"""Follow-up at the réévaluation date: asked once, on that date, to the requester; the answer stored and shown;
only the requester (or a co-requester) answers."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cases.followup.models import Applied, FollowUp, Outcome
from cases.followup.tasks import send_due_follow_ups
from cases.models import Avis, CaseStatus
from tests.factories.cases import PatientFactory, SubmittedCaseFactory
from tests.factories.session import AvisFactory
from tests.helpers import login
from tigre.notifications.delivery import build_message
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 12, 16)
PARIS_9AM = dt.datetime(2026, 12, 16, 8, 0, tzinfo=dt.UTC)


def _avis(requester: Any, *, due: dt.date | None = DUE, status: str = CaseStatus.AVIS_VALIDATED, **kwargs: Any) -> Avis:
    case = SubmittedCaseFactory(requester=requester, status=status, **kwargs)
    return AvisFactory(
        case=case,
        state=Avis.State.VALIDATED,
        meeting_at=dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC),
        follow_up_date=due,
        ici_decision=Avis.IciDecision.HOLD,
    )


def _asked() -> Any:
    return Notification.objects.filter(kind="follow_up")


def test_the_requester_is_asked_once_at_the_reevaluation_date(alice: Any, bob: Any) -> None:
    avis = _avis(alice)
    avis.case.co_requesters.add(bob)
    with time_machine.travel(PARIS_9AM - dt.timedelta(days=1), tick=False):
        assert send_due_follow_ups() == 0  # the day before: nothing
    assert not _asked().exists() and not FollowUp.objects.exists()
    with time_machine.travel(PARIS_9AM, tick=False):
        assert send_due_follow_ups() == 1
        assert send_due_follow_ups() == 0  # the same day again
    with time_machine.travel(PARIS_9AM + dt.timedelta(days=1), tick=False):
        assert send_due_follow_ups() == 0  # and the days after
    follow_up = FollowUp.objects.get()
    assert (follow_up.avis, follow_up.case, follow_up.due_date) == (avis, avis.case, DUE)
    assert _asked().count() == 2 and {n.recipient for n in _asked()} == {alice, bob}
    message = build_message(_asked().get(recipient=alice))
    text = message.body
    assert avis.case.reference in message.subject and "appliqué" in message.subject
    assert "2 décembre 2026" in text and "16 décembre 2026" in text and avis.case.patient.pseudonym in text
    assert avis.case.patient.birth_name not in text  # no name by e-mail
    assert reverse("cases:follow_up_answer", args=[follow_up.pk]) in text


def test_not_asked_for_drafts_withdrawn_requests_or_a_distant_past(alice: Any) -> None:
    _avis(alice, due=DUE - dt.timedelta(days=90))  # long before the feature's first run
    _avis(alice, status=CaseStatus.WITHDRAWN)
    _avis(alice, due=None)
    draft = _avis(alice)
    draft.state = Avis.State.DRAFT
    draft.save()
    with time_machine.travel(PARIS_9AM, tick=False):
        assert send_due_follow_ups() == 0
    assert not _asked().exists()


def _asked_follow_up(requester: Any, **kwargs: Any) -> FollowUp:
    _avis(requester, **kwargs)
    with time_machine.travel(PARIS_9AM, tick=False):
        send_due_follow_ups()
    return FollowUp.objects.get()


def test_the_answer_is_stored_and_shown_then_corrected(client: Any, alice: Any, sam: Any) -> None:
    follow_up = _asked_follow_up(alice)
    url = reverse("cases:follow_up_answer", args=[follow_up.pk])
    login(client, alice)
    page = html.unescape(client.get(url).content.decode())
    assert "L'avis de la RCP a-t-il été appliqué ?" in page and "Aggravation" in page
    response = client.post(url, {"applied": "partly", "outcome": "improved", "comment": "Reprise à demi-dose."})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[follow_up.case_id])
    follow_up.refresh_from_db()
    assert (follow_up.applied, follow_up.outcome, follow_up.comment) == (
        Applied.PARTLY,
        Outcome.IMPROVED,
        "Reprise à demi-dose.",
    )
    assert follow_up.answered_by == alice and follow_up.answered_at is not None
    body = client.get(reverse("cases:detail", args=[follow_up.case_id])).content.decode()
    assert "Partiellement" in body and "Amélioration" in body and "Reprise à demi-dose." in body
    # The secretariat reads it on the request page.
    login(client, sam)
    assert "Amélioration" in client.get(reverse("cases:detail", args=[follow_up.case_id])).content.decode()
    # Answering twice corrects the answer (and says so).
    login(client, alice)
    assert "Réponse déjà enregistrée" in client.get(url).content.decode()
    client.post(url, {"applied": "yes", "outcome": "resolved"})
    follow_up.refresh_from_db()
    assert (follow_up.applied, follow_up.outcome, follow_up.comment) == (Applied.YES, Outcome.RESOLVED, "")
    assert FollowUp.objects.count() == 1


def test_an_incomplete_answer_is_refused_in_french(client: Any, alice: Any) -> None:
    follow_up = _asked_follow_up(alice)
    login(client, alice)
    response = client.post(reverse("cases:follow_up_answer", args=[follow_up.pk]), {"applied": "maybe"})
    assert response.status_code == 400
    assert "Indiquez l'évolution du patient." in html.unescape(response.content.decode())
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None


def test_only_the_requester_or_a_co_requester_answers(
    client: Any, alice: Any, bob: Any, sam: Any, cora: Any, rita: Any
) -> None:
    follow_up = _asked_follow_up(alice)
    url = reverse("cases:follow_up_answer", args=[follow_up.pk])
    for other in (bob, sam, cora, rita):
        login(client, other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"applied": "no", "outcome": "worse"}).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None
    follow_up.case.co_requesters.add(bob)
    login(client, bob)
    assert client.post(url, {"applied": "no", "outcome": "worse"}).status_code == 302
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_answer_is_in_the_patients_history(client: Any, alice: Any) -> None:
    patient = {"birth_name": "Martin", "first_names": "Paul", "birth_date": dt.date(1950, 1, 2)}
    follow_up = _asked_follow_up(alice, patient=PatientFactory(**patient))
    follow_up.applied, follow_up.outcome, follow_up.comment = Applied.NO, Outcome.WORSE, "Colite récidivante"
    follow_up.answered_by = alice
    follow_up.answered_at = follow_up.asked_at
    follow_up.save()
    again = SubmittedCaseFactory(requester=alice, patient=PatientFactory(**patient))
    login(client, alice)
    body = client.get(reverse("cases:detail", args=[again.pk])).content.decode()
    assert follow_up.case.reference in body and "Aggravation" in body and "Colite récidivante" in body
