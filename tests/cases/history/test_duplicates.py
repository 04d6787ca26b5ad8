"""The request form's duplicate check: no oracle on other physicians' patients, trailed, rate-limited; "Présenter à
nouveau" copies the right fields and links the new request (issue 17 item 6, issue 16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.history import linked_cases
from cases.models import Avis, Case, CaseStatus, PresentedAgain
from tests.factories.cases import (
    DrugFactory,
    ImmunotherapyLineFactory,
    PatientFactory,
    SubmittedCaseFactory,
    ToxicityFactory,
)
from tests.factories.session import AvisFactory
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.lib.validators import ins_key

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1958, 4, 12)
TYPED = {"patient-birth_name": "DURAND", "patient-first_names": "jeanne", "patient-birth_date": "1958-04-12"}
NIR = "2580454123456"
INS = f"{NIR}{ins_key(NIR):02d}"
HINT = "Si ce patient a déjà été présenté par un autre médecin, contactez le secrétariat de la RCP."


def _check(client: Any, data: dict[str, str] = TYPED) -> Any:
    return client.post(reverse("cases:duplicate_check"), data)


def _durand(requester: Any, **kwargs: Any) -> Any:
    patient = PatientFactory(birth_name="Durand", first_names="Jeanne", birth_date=BIRTH)
    return SubmittedCaseFactory(requester=requester, patient=patient, **kwargs)


def test_the_requester_is_shown_their_own_earlier_request(client: Any, alice: Any) -> None:
    mine = _durand(alice, status=CaseStatus.CLOSED)
    login(client, alice)
    body = _check(client).content.decode()
    assert reverse("cases:detail", args=[mine.pk]) in body and mine.reference in body
    assert reverse("cases:present_again", args=[mine.pk]) in body
    assert HINT in body


def test_a_co_requester_is_shown_the_request_too(client: Any, alice: Any, bob: Any) -> None:
    shared = _durand(alice)
    shared.co_requesters.add(bob)
    login(client, bob)
    assert shared.reference in _check(client).content.decode()


def test_another_physician_learns_nothing_of_a_hidden_match(client: Any, alice: Any, bob: Any) -> None:
    login(client, bob)
    without = _check(client)
    hidden = _durand(alice)
    with_match = _check(client)
    assert without.status_code == with_match.status_code == 200
    assert without.content == with_match.content  # the same bytes, match or not
    body = with_match.content.decode()
    assert HINT in body and hidden.reference not in body and "Durand" not in body
    # The same when found by INS.
    by_ins = {"patient-ins": INS}
    before = _check(client, by_ins)
    SubmittedCaseFactory(requester=alice, patient=PatientFactory(ins=INS))
    after = _check(client, by_ins)
    assert before.status_code == after.status_code == 200 and before.content == after.content
    assert AccessLog.objects.filter(user=bob, action="duplicate_check", case_id__isnull=False).count() == 2


def test_every_check_is_trailed_with_what_it_found(client: Any, alice: Any, bob: Any) -> None:
    hidden = _durand(alice)
    login(client, bob)
    _check(client)
    rows = AccessLog.objects.filter(user=bob, action=AccessLog.Action.DUPLICATE_CHECK)
    assert rows.filter(case_id__isnull=True).count() == 1
    assert list(rows.filter(case_id__isnull=False).values_list("case_id", "patient_id")) == [
        (hidden.pk, hidden.patient_id)
    ]
    _check(client, {"patient-birth_name": "Martin"})  # nothing to look up: no check, no row
    assert rows.count() == 2


def test_checks_are_rate_limited_per_user_with_a_french_429(client: Any, alice: Any, bob: Any, settings: Any) -> None:
    settings.TIGRE = {**settings.TIGRE, "DUPLICATE_CHECKS_PER_WINDOW": 3}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, bob)
        assert [_check(client).status_code for _ in range(3)] == [200, 200, 200]
        refused = _check(client)
        assert refused.status_code == 429
        assert "Trop de recherches d'identité" in refused.content.decode()
        login(client, alice)
        assert _check(client).status_code == 200  # per user
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        login(client, bob)
        assert _check(client).status_code == 200  # the window has passed


def test_the_form_page_applies_the_same_rules(client: Any, alice: Any, bob: Any) -> None:
    """A draft saved with another physician's patient's identity does not reveal it on its form page either."""
    _durand(alice)
    login(client, bob)
    draft = SubmittedCaseFactory(
        requester=bob,
        status=CaseStatus.DRAFT,
        reference=None,
        submitted_at=None,
        patient=PatientFactory(birth_name="DURAND", first_names="Jeanne", birth_date=BIRTH),
    )
    body = client.get(reverse("cases:edit", args=[draft.pk])).content.decode()
    assert HINT in body and "Vous avez déjà adressé ce patient" not in body


def _earlier(alice: Any) -> Any:
    case = _durand(
        alice,
        status=CaseStatus.CLOSED,
        history="HTA",
        comorbidities="Diabète de type 2",
        key_results="Troponine 250 ng/L",
        question="Reprise du pembrolizumab ?",
        urgency="urgent",
        urgency_reason="Myocardite",
        stage="IIIB",
    )
    case.patient.gp_name = "Dr Paul MARCHAL"
    case.patient.weight_kg = Decimal("62.5")
    case.patient.save()
    ImmunotherapyLineFactory(case=case, drugs=[DrugFactory(name="nivolumab"), DrugFactory(name="ipilimumab")])
    ToxicityFactory(case=case, grade=3, steroids_mg_per_kg=Decimal("1.00"), description="Colite G3")
    AvisFactory(
        case=case,
        state=Avis.State.VALIDATED,
        meeting_at=dt.datetime(2026, 6, 3, 17, 0, tzinfo=dt.UTC),
        ici_decision=Avis.IciDecision.STOP,
    )
    return case


def test_present_again_copies_the_right_fields_and_links(client: Any, alice: Any) -> None:
    earlier = _earlier(alice)
    login(client, alice)
    url = reverse("cases:present_again", args=[earlier.pk])
    assert "Créer la nouvelle demande" in client.get(url).content.decode()
    response = client.post(url)
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:edit", args=[new.pk])
    assert new.status == CaseStatus.DRAFT and new.requester == alice and new.reference is None
    assert new.patient_id != earlier.patient_id  # its own patient row, as every request
    for name in ("birth_name", "first_names", "birth_date", "sex", "ins", "gp_name", "weight_kg"):
        assert getattr(new.patient, name) == getattr(earlier.patient, name), name
    assert new.stage == "IIIB" and new.comorbidities == "Diabète de type 2"
    assert new.history.startswith("Demande antérieure " + earlier.reference) and "HTA" in new.history
    assert "3 juin 2026" in new.history and "Arrêter définitivement" in new.history
    assert (new.question, new.urgency, new.urgency_reason, new.key_results) == ("", "standard", "", "")
    assert not new.avis_set.exists()
    line = new.lines.get()
    assert sorted(d.name for d in line.drugs.all()) == ["ipilimumab", "nivolumab"]
    tox = new.toxicities.get()
    assert (tox.grade, tox.steroids_mg_per_kg, tox.description) == (3, Decimal("1.00"), "Colite G3")
    assert new.highest_grade == 3
    assert PresentedAgain.objects.get(case=new).earlier == earlier
    assert list(linked_cases(new)) == [earlier]


def test_present_again_is_the_requesters_and_only_once_the_course_is_over(
    client: Any, alice: Any, bob: Any, sam: Any
) -> None:
    earlier = _earlier(alice)
    url = reverse("cases:present_again", args=[earlier.pk])
    login(client, bob)
    assert client.post(url).status_code == 404  # not his: not even its existence
    login(client, sam)
    assert client.post(url).status_code == 403  # the secretariat does not request
    ongoing = _durand(alice, status=CaseStatus.SCHEDULED)
    login(client, alice)
    refused = client.post(reverse("cases:present_again", args=[ongoing.pk]))
    assert refused.status_code == 400 and "encore en cours" in refused.content.decode()
    assert Case.objects.count() == 2


def test_the_case_page_offers_present_again_to_its_requester(client: Any, alice: Any, sam: Any) -> None:
    earlier = _earlier(alice)
    url = reverse("cases:present_again", args=[earlier.pk])
    login(client, alice)
    assert url in client.get(reverse("cases:detail", args=[earlier.pk])).content.decode()
    login(client, sam)
    body = client.get(reverse("cases:detail", args=[earlier.pk])).content.decode()
    assert url not in body and "Présenter à nouveau" not in body
