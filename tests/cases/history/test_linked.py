"""A patient's linked requests: by INS, by normalised identity traits, open or closed; who sees them; query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.history import Identity, identity_key, linked_cases, same_patient
from cases.models import Avis, CaseStatus
from tests.factories.cases import CaseFactory, PatientFactory, SubmittedCaseFactory
from tests.factories.session import AvisFactory, make_session
from tests.helpers import login
from tigre.lib.validators import ins_key

pytestmark = pytest.mark.django_db

NIR = "2580454123456"
INS = f"{NIR}{ins_key(NIR):02d}"
BIRTH = dt.date(1958, 4, 12)


def _case(requester: Any, *, status: str = CaseStatus.SUBMITTED, **patient: Any) -> Any:
    fields = {"birth_name": "Le Gall-Müller", "first_names": "Anne-Sophie", "birth_date": BIRTH, **patient}
    if status == CaseStatus.DRAFT:
        return CaseFactory(requester=requester, patient=PatientFactory(**fields))
    return SubmittedCaseFactory(requester=requester, status=status, patient=PatientFactory(**fields))


def test_identity_key_ignores_case_accents_spaces_hyphens() -> None:
    assert identity_key("Le Gall-Müller") == identity_key("LE GALL MULLER") == "legallmuller"
    assert identity_key("Anne-Sophie") == identity_key(" anne sophie ") == "annesophie"
    assert identity_key("Lætitia") == "laetitia" and identity_key("ÉLOÏSE") == "eloise"
    assert identity_key("D'Arcy") == "darcy"
    assert identity_key("Martin") != identity_key("Martine")


def test_linked_by_identity_traits_including_closed_requests(alice: Any) -> None:
    closed = _case(alice, status=CaseStatus.CLOSED)
    validated = _case(alice, status=CaseStatus.AVIS_VALIDATED, birth_name="LE GALL MULLER", first_names="anne sophie")
    new = _case(alice, birth_name="le gall-muller", first_names="ANNE-SOPHIE")
    # Not the same person: another first name, another birth date, another birth name.
    _case(alice, first_names="Anne")
    _case(alice, birth_date=dt.date(1958, 4, 13))
    _case(alice, birth_name="Le Gall")
    assert set(linked_cases(new)) == {closed, validated}


def test_linked_by_ins_whatever_the_names(alice: Any, bob: Any) -> None:
    first = _case(alice, status=CaseStatus.CLOSED, ins=INS, birth_name="Dupont", first_names="Marie")
    second = _case(bob, ins=INS, birth_name="Durand", first_names="Marie", birth_date=dt.date(1960, 1, 1))
    _case(bob, ins="", birth_name="Durand", first_names="Marie", birth_date=dt.date(1961, 1, 1))
    assert list(linked_cases(second)) == [first]
    assert set(same_patient(Identity(ins=INS))) == {first, second}


def test_drafts_are_never_linked_and_no_traits_link_nothing(alice: Any) -> None:
    draft = _case(alice, status=CaseStatus.DRAFT)
    case = _case(alice)
    assert list(linked_cases(case)) == []
    assert list(linked_cases(draft)) == [case]
    assert list(same_patient(Identity(birth_name="Le Gall-Müller", first_names="Anne-Sophie"))) == []


def test_secretariat_sees_earlier_requests_at_triage_in_constant_queries(
    client: Any, alice: Any, bob: Any, sam: Any, django_assert_max_num_queries: Any
) -> None:
    earlier = _case(alice, status=CaseStatus.CLOSED)
    AvisFactory(case=earlier, state=Avis.State.VALIDATED, answer="Reprise possible du pembrolizumab.")
    current = _case(bob)
    login(client, sam)
    url = reverse("cases:detail", args=[current.pk])
    with CaptureQueriesContext(connection) as few:
        body = client.get(url).content.decode()
    assert "Demandes antérieures de ce patient" in body
    assert earlier.reference in body and reverse("cases:detail", args=[earlier.pk]) in body
    assert "Reprise possible du pembrolizumab." in body and "Clôturée" in body
    for _ in range(6):
        other = _case(alice, status=CaseStatus.CLOSED)
        AvisFactory(case=other, state=Avis.State.VALIDATED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("Avis de la RCP du") >= 7


def test_a_clinician_sees_only_the_earlier_requests_they_may_open(client: Any, alice: Any, bob: Any) -> None:
    alices = _case(alice, status=CaseStatus.CLOSED)
    bobs_earlier = _case(bob, status=CaseStatus.CLOSED)
    current = _case(bob)
    login(client, bob)
    body = client.get(reverse("cases:detail", args=[current.pk])).content.decode()
    assert bobs_earlier.reference in body
    assert alices.reference not in body


def test_the_board_sees_the_earlier_avis_at_the_meeting(client: Any, cora: Any) -> None:
    s = make_session(coordinator=cora, cases=1)
    patient = s.items[0].case.patient
    earlier = SubmittedCaseFactory(
        status=CaseStatus.CLOSED,
        submitted_at=timezone.now() - dt.timedelta(days=200),
        patient=PatientFactory(
            birth_name=patient.birth_name.upper(), first_names=patient.first_names, birth_date=patient.birth_date
        ),
    )
    AvisFactory(case=earlier, state=Avis.State.VALIDATED, answer="Arrêt définitif ; rechallenge contre-indiqué.")
    login(client, cora)
    body = client.get(reverse("meetings:session_item", args=[s.meeting.pk, s.items[0].pk])).content.decode()
    assert "Ce patient a déjà été présenté" in body
    assert earlier.reference in body and "Arrêt définitif ; rechallenge contre-indiqué." in body
    assert earlier.patient.birth_name not in body  # the session page stays pseudonymised


def test_the_session_page_queries_do_not_grow_with_the_history(
    client: Any, cora: Any, django_assert_max_num_queries: Any
) -> None:
    s = make_session(coordinator=cora, cases=1)
    patient = s.items[0].case.patient
    url = reverse("meetings:session_item", args=[s.meeting.pk, s.items[0].pk])

    def earlier() -> None:
        twin = PatientFactory(birth_name=patient.birth_name, first_names=patient.first_names, birth_date=BIRTH)
        AvisFactory(case=SubmittedCaseFactory(status=CaseStatus.CLOSED, patient=twin), state=Avis.State.VALIDATED)

    earlier()
    login(client, cora)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        earlier()
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert "Ce patient a déjà été présenté : 6 demandes" in body
