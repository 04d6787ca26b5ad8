"""The home page per role: the next meeting and the work waiting, with counts and links, in constant queries."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Avis, CaseStatus, Urgency
from cases.pharmacovigilance.models import PvStatus
from meetings.models import AgendaItemReferent, Meeting, Participant
from tests.factories.cases import CaseFactory, SubmittedCaseFactory
from tests.factories.meetings import AgendaItemFactory, MeetingFactory
from tests.factories.pharmacovigilance import PvFollowUpFactory
from tests.factories.referents import OrganCategoryFactory, ReferentFactory
from tests.factories.session import AvisFactory, ParticipantFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db

HOME = "/"


def _text(html: str) -> str:
    """The page's visible text on one line (tags dropped, spaces and no-break spaces folded)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " "))


def _page(client: Any, user: Any, queries: Any, budget: int) -> str:
    login(client, user)
    with queries(budget):
        response = client.get(HOME)
    assert response.status_code == 200
    return _text(response.content.decode())


def _item(meeting: Meeting, **case: Any) -> Any:
    case.setdefault("status", CaseStatus.SCHEDULED)
    return AgendaItemFactory(meeting=meeting, case=SubmittedCaseFactory(**case))


def _triage_world(n: int) -> None:
    for _ in range(n):
        SubmittedCaseFactory()
    SubmittedCaseFactory(status=CaseStatus.ACCEPTED)
    SubmittedCaseFactory(status=CaseStatus.INFO_REQUESTED)
    SubmittedCaseFactory(urgency=Urgency.URGENT, urgent_alerted_at=timezone.now())


def test_the_home_url_is_the_meetings_home_view() -> None:
    assert reverse("home") == HOME


@pytest.mark.parametrize("n", [2, 6])
def test_secretariat_sees_the_queue_and_the_next_meeting(client, sam, django_assert_max_num_queries, n) -> None:
    _triage_world(n)
    meeting = MeetingFactory()
    for _ in range(3):
        _item(meeting)
    text = _page(client, sam, django_assert_max_num_queries, 14)
    assert f"{n + 1} demandes à trier" in text  # the urgent one is submitted too
    assert "1 demande acceptée à inscrire" in text
    assert "1 demande en attente d'informations" in text
    assert "1 demande urgente non prise en charge" in text
    assert "3 dossiers à l'ordre du jour" in text
    assert "mercredi" in text and "à 17 h" in text
    assert f'href="{reverse("meetings:detail", args=[meeting.pk])}"' in client.get(HOME).content.decode()


def test_an_urgent_request_taken_is_no_longer_waiting(client, cora, django_assert_max_num_queries) -> None:
    SubmittedCaseFactory(urgency=Urgency.URGENT, urgent_alerted_at=timezone.now(), urgent_acknowledged_by=cora)
    text = _page(client, cora, django_assert_max_num_queries, 14)
    assert "1 demande urgente non prise en charge" not in text
    assert "À faire — Coordination" in text


def test_coordinator_sees_held_meetings_to_validate(client, cora, django_assert_max_num_queries) -> None:
    MeetingFactory(status=Meeting.Status.HELD)
    MeetingFactory(status=Meeting.Status.VALIDATED)
    text = _page(client, cora, django_assert_max_num_queries, 14)
    assert "1 réunion tenue à valider" in text


@pytest.mark.parametrize("n", [1, 4])
def test_referent_sees_the_cases_waiting_for_their_avis(client, rita, django_assert_max_num_queries, n) -> None:
    referent = ReferentFactory(user=rita)
    heart = OrganCategoryFactory(code="coeur-home", label="Cœur")
    meeting = MeetingFactory()
    ParticipantFactory(meeting=meeting, user=rita, role=Participant.Role.REFERENT)
    items = [_item(meeting) for _ in range(n + 1)]
    for item in items:
        AgendaItemReferent.objects.create(item=item, referent=referent, category=heart)
    # One of them already has its validated avis: it waits for nobody.
    done = items[0]
    AvisFactory(case=done.case, meeting=meeting, state=Avis.State.VALIDATED, validated_at=timezone.now())
    _item(meeting)  # another case, not theirs
    text = _page(client, rita, django_assert_max_num_queries, 14)
    expected = "1 dossier attend votre avis" if n == 1 else f"{n} dossiers attendent votre avis"
    assert expected + " en RCP" in text  # the panel
    assert expected in text.replace(expected + " en RCP", "")  # the next meeting's note
    assert f"{n + 2} dossiers à l'ordre du jour" in text
    assert reverse("meetings:my_meeting", args=[meeting.pk]) in client.get(HOME).content.decode()


def test_referent_is_not_counted_on_a_cancelled_meeting(client, rita, django_assert_max_num_queries) -> None:
    referent = ReferentFactory(user=rita)
    meeting = MeetingFactory(status=Meeting.Status.CANCELLED)
    ParticipantFactory(meeting=meeting, user=rita, role=Participant.Role.REFERENT)
    item = _item(meeting)
    AgendaItemReferent.objects.create(item=item, referent=referent, category=OrganCategoryFactory(code="x-home"))
    text = _page(client, rita, django_assert_max_num_queries, 14)
    assert "attend votre avis" not in text and "attendent votre avis" not in text
    assert "Aucune RCP à venir ne vous concerne" in text


@pytest.mark.parametrize("n", [1, 5])
def test_crpv_sees_declarations_to_make(client, victor, django_assert_max_num_queries, n) -> None:
    for _ in range(n):
        PvFollowUpFactory(status=PvStatus.TO_DECLARE)
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=timezone.now() - dt.timedelta(days=60))
    PvFollowUpFactory(status=PvStatus.TO_ASSESS)
    PvFollowUpFactory(status=PvStatus.DECLARED)
    text = _page(client, victor, django_assert_max_num_queries, 12)
    assert f"{n + 1} déclarations à faire" in text
    assert "1 déclaration en retard" in text
    assert "1 toxicité à évaluer" in text


@pytest.mark.parametrize("n", [1, 3])
def test_clinician_sees_drafts_questions_and_their_next_meeting(
    client, alice, bob, django_assert_max_num_queries, n
) -> None:
    for _ in range(n):
        CaseFactory(requester=alice)
    CaseFactory(requester=bob)  # someone else's draft
    SubmittedCaseFactory(requester=alice, status=CaseStatus.INFO_REQUESTED)
    meeting = MeetingFactory()
    _item(meeting, requester=alice)
    _item(meeting)  # someone else's case on the same meeting
    text = _page(client, alice, django_assert_max_num_queries, 12)
    assert ("1 brouillon à terminer" if n == 1 else f"{n} brouillons à terminer") in text
    assert "1 demande attend vos informations" in text
    assert "1 de vos demandes y est discutée" in text
    assert "Tri des demandes" not in text


def test_nothing_waiting_says_so(client, alice, django_assert_max_num_queries) -> None:
    text = _page(client, alice, django_assert_max_num_queries, 12)
    assert "Rien en attente." in text
    assert "Aucune RCP à venir ne vous concerne" in text


def test_a_user_with_every_role_gets_every_panel_in_constant_queries(client, django_assert_max_num_queries) -> None:
    from tests.factories.accounts import UserFactory

    user = UserFactory(roles=["clinician", "secretariat", "coordinator", "referent", "pharmacovigilance"])
    ReferentFactory(user=user)
    _triage_world(3)
    text = _page(client, user, django_assert_max_num_queries, 18)
    for title in ("Coordination", "Pharmacovigilance", "Référent", "Mes demandes"):
        assert f"À faire — {title}" in text
    assert "À faire — Secrétariat" not in text  # one board panel, not two with the same counts


def test_crpv_next_meeting_links_to_its_own_meeting_view(client, victor, django_assert_max_num_queries) -> None:
    meeting = MeetingFactory()
    ParticipantFactory(meeting=meeting, user=victor, role=Participant.Role.PHARMACOVIGILANCE)
    _item(meeting)
    login(client, victor)
    html = client.get(HOME).content.decode()
    assert reverse("meetings:my_meeting", args=[meeting.pk]) in html
    assert reverse("meetings:detail", args=[meeting.pk]) not in html  # a page the CRPV may not open


@pytest.mark.parametrize("who", ["alice", "sam", "cora", "victor", "rita"])
def test_every_link_of_the_home_page_opens_a_valid_filtered_list(client, request, who) -> None:
    from meetings.home.selectors import home_for

    user = request.getfixturevalue(who)
    login(client, user)
    home = home_for(user)
    urls = [action.url for panel in home.panels for action in panel.actions]
    assert urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "choix valide" not in response.content.decode(), url
