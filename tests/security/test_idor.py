"""IDOR: a user who holds the role a view needs, but not the object, gets 404 for another's object ID, by GET
and by POST, and the database does not change (not even the access trail)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import CaseStatus
from tests.factories.accounts import UserFactory
from tests.factories.cases import CaseFactory, SubmittedCaseFactory
from tests.factories.referents import AbsenceFactory, ReferentFactory
from tests.helpers import login
from tests.security.conftest import db_fingerprint

pytestmark = pytest.mark.django_db

# Views scoped to the case (the requester, co-requesters, invited referents, all-cases roles).
CASE_URLS = [
    ("cases:detail", lambda w, c: {"pk": c.pk}),
    ("cases:edit", lambda w, c: {"pk": c.pk}),
    ("cases:delete", lambda w, c: {"pk": c.pk}),
    ("cases:answer", lambda w, c: {"pk": c.pk}),
    ("cases:withdraw", lambda w, c: {"pk": c.pk}),
    ("cases:attachment_add", lambda w, c: {"pk": c.pk}),
    ("cases:attachment_download", lambda w, c: {"pk": c.pk, "attachment_pk": w.attachment.pk}),
    ("cases:attachment_delete", lambda w, c: {"pk": c.pk, "attachment_pk": w.attachment.pk}),
    ("documents:case_panel", lambda w, c: {"pk": c.pk}),
    ("pharmacovigilance:case_status", lambda w, c: {"case_pk": c.pk}),
]


def _attempt(client: Client, url: str) -> list[int]:
    return [client.get(url).status_code, client.post(url, {"body": "x", "reason": "x"}).status_code]


@pytest.fixture
def outsider_referent(db):
    """A referent with a Referent row, invited to no meeting and alerted about nothing."""
    return ReferentFactory(user=UserFactory(roles=["referent"])).user


@pytest.mark.parametrize(("name", "kwargs"), CASE_URLS, ids=[n for n, _ in CASE_URLS])
@pytest.mark.parametrize("attacker", ["bob", "outsider_referent"])
def test_another_users_case_is_404_and_nothing_changes(request, world, name, kwargs, attacker) -> None:
    user = request.getfixturevalue(attacker)
    client = login(Client(), user)
    url = reverse(name, kwargs=kwargs(world, world.case))
    before = db_fingerprint()
    statuses = _attempt(client, url)  # a GET-only view answers a POST 405, and the reverse: both say nothing
    assert set(statuses) <= {404, 405} and 404 in statuses, statuses
    assert db_fingerprint() == before


@pytest.mark.parametrize(("name", "kwargs"), CASE_URLS, ids=[n for n, _ in CASE_URLS])
def test_a_draft_of_another_clinician_is_404(world, bob, name, kwargs) -> None:
    draft = CaseFactory(requester=world.users["clinician"], status=CaseStatus.DRAFT)
    client = login(Client(), bob)
    url = reverse(name, kwargs=kwargs(world, draft))
    before = db_fingerprint()
    statuses = _attempt(client, url)
    assert set(statuses) <= {404, 405} and 404 in statuses, statuses
    assert db_fingerprint() == before


def test_a_co_requester_sees_the_case_and_others_do_not(world, bob) -> None:
    client = login(Client(), bob)
    url = reverse("cases:detail", args=[world.case.pk])
    assert client.get(url).status_code == 404
    world.case.co_requesters.add(bob)
    assert client.get(url).status_code == 200


def test_an_attachment_of_another_case_cannot_be_reached_through_ones_own_case(world) -> None:
    mine = SubmittedCaseFactory(requester=UserFactory(roles=["clinician"]))
    client = login(Client(), mine.requester)
    url = reverse("cases:attachment_download", args=[mine.pk, world.attachment.pk])
    assert client.get(url).status_code == 404


def test_the_fiche_of_another_users_case_is_404(world, bob, outsider_referent) -> None:
    url = reverse("documents:fiche_pdf", args=[world.avis.pk])
    for user in (bob, outsider_referent):
        client = login(Client(), user)
        before = db_fingerprint()
        assert client.get(url).status_code == 404
        assert db_fingerprint() == before


def test_a_meeting_one_is_not_invited_to_is_hidden(world, outsider_referent) -> None:
    client = login(Client(), outsider_referent)
    for name in ("meetings:my_meeting", "meetings:ics"):
        assert client.get(reverse(name, args=[world.meeting.pk])).status_code in (403, 404), name
    assert client.get(reverse("documents:agenda_pdf", args=[world.meeting.pk])).status_code in (403, 404)


def test_another_referents_absence_cannot_be_deleted(world, outsider_referent) -> None:
    from referents.models import Absence

    own = AbsenceFactory(referent=outsider_referent.referent)
    client = login(Client(), outsider_referent)
    before = db_fingerprint()
    response = client.post(reverse("referents:absence_delete", args=[world.absence.pk]))
    assert response.status_code in (403, 404)
    assert db_fingerprint() == before
    assert Absence.objects.filter(pk=world.absence.pk).exists()
    assert client.post(reverse("referents:absence_delete", args=[own.pk])).status_code == 302
    assert not Absence.objects.filter(pk=own.pk).exists()


def test_an_urgent_request_not_sent_to_a_referent_is_404(world, outsider_referent) -> None:
    client = login(Client(), outsider_referent)
    before = db_fingerprint()
    assert client.post(reverse("urgent:take", args=[world.case.pk])).status_code == 404
    assert client.get(reverse("urgent:opinion", args=[world.case.pk])).status_code == 404
    assert db_fingerprint() == before


def test_another_users_calendar_feed_token_is_404(world, client) -> None:
    assert client.get(reverse("meetings:calendar_feed", args=[world.feed.token])).status_code == 200
    guessed = world.feed.token[:-1] + ("y" if world.feed.token[-1] != "y" else "z")
    assert client.get(reverse("meetings:calendar_feed", args=[guessed])).status_code == 404


def test_pv_follow_up_of_a_case_is_only_for_the_crpv_and_coordinators(world, bob, outsider_referent) -> None:
    for user in (world.users["clinician"], bob, outsider_referent):
        client = login(Client(), user)
        before = db_fingerprint()
        assert client.get(reverse("pharmacovigilance:sheet", args=[world.pv.pk])).status_code == 403
        assert client.post(reverse("pharmacovigilance:status_change", args=[world.pv.pk])).status_code == 403
        assert db_fingerprint() == before


def test_the_scope_selector(world, bob, outsider_referent) -> None:
    from cases.selectors import cases_visible_to

    users = world.users
    assert set(cases_visible_to(users["clinician"])) == {world.case}
    assert set(cases_visible_to(bob)) == set()
    assert set(cases_visible_to(users["referent"])) == {world.case}  # invited to its meeting, and alerted
    assert set(cases_visible_to(outsider_referent)) == set()
    for role in ("secretariat", "coordinator", "pharmacovigilance", "administrator"):
        assert set(cases_visible_to(users[role])) == {world.case, world.other_case}, role
