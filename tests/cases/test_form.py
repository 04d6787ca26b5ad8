"""The request form: drafts keep everything typed, submission checks every rule with a French message."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cases.messages import Kind
from cases.models import Case, CaseStatus, Drug, RequestReason, Urgency
from tests.factories.cases import DrugFactory
from tests.helpers import login
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db

MGMT = {"line-TOTAL_FORMS": "1", "line-INITIAL_FORMS": "0", "tox-TOTAL_FORMS": "1", "tox-INITIAL_FORMS": "0"}
TODAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def drugs(db: Any) -> tuple[Drug, Drug]:
    return DrugFactory(name="nivolumab", atc_code="L01FF01"), DrugFactory(
        name="ipilimumab", target=Drug.Target.CTLA4, atc_code="L01FX04"
    )


def form_data(drugs: tuple[Drug, Drug], event: Any, **overrides: Any) -> dict[str, Any]:
    """A complete request: two drugs, one toxicity."""
    data = {
        "patient-birth_name": "Durand",
        "patient-first_names": "Jeanne",
        "patient-sex": "F",
        "patient-birth_date": "1958-04-12",
        "patient-ins": "",
        "patient-ins_status": "none",
        "case-primary_site_label": "Mélanome",
        "case-primary_site": "C43",
        "case-reason": RequestReason.COMPLEX_MANAGEMENT,
        "case-question": "Faut-il reprendre l'immunothérapie ?",
        "case-patient_informed": "yes",
        "case-urgency": Urgency.STANDARD,
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "0",
        "line-0-drugs": [str(drugs[0].pk), str(drugs[1].pk)],
        "line-0-regimen": "ici_ici",
        "line-0-setting": "metastatic",
        "line-0-start_date": "2026-06-01",
        "line-0-status": "held",
        "tox-TOTAL_FORMS": "1",
        "tox-INITIAL_FORMS": "0",
        "tox-0-event": str(event.pk),
        "tox-0-grade": "2",
        "tox-0-onset_date": "2026-09-15",
        "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client: Any, data: dict[str, Any], case: Case | None = None) -> Any:
    url = reverse("cases:edit", args=[case.pk]) if case else reverse("cases:create")
    return client.post(url, data)


def test_complete_request_is_submitted(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    response = post(client, form_data(drugs, colitis))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.status == CaseStatus.SUBMITTED and case.reference == "TIGRE-2026-0001"
    assert set(case.lines.get().drugs.values_list("name", flat=True)) == {"nivolumab", "ipilimumab"}
    assert Notification.objects.filter(kind=Kind.REQUEST_RECEIVED, case=case).exists()


def test_new_form_renders(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    response = client.get(reverse("cases:create"))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Colite" in body and "nivolumab" in body and 'id="id_tox-TOTAL_FORMS"' in body


def test_empty_draft_can_be_saved(client: Any, alice: Any) -> None:
    login(client, alice)
    response = post(client, {"action": "save", **MGMT})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:edit", args=[case.pk])
    assert case.status == CaseStatus.DRAFT and case.requester == alice


def test_draft_keeps_invalid_text_and_shows_it_again(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    data = form_data(drugs, colitis, action="save", **{"tox-0-onset_date": "31/02/2026"})
    response = post(client, data)
    assert response.status_code == 400  # the draft is saved, the invalid field refused
    assert "Date invalide" in html.unescape(response.content.decode())
    case = Case.objects.get()
    assert case.patient.birth_name == "Durand" and case.question.startswith("Faut-il")
    assert case.lines.count() == 1
    # Coming back later: the invalid date is still there, as typed.
    body = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert 'value="31/02/2026"' in body
    assert "Durand" in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"patient-birth_date": "2027-01-01"}, "patient-birth_date", "dans le futur"),
        ({"patient-birth_date": "1890-01-01"}, "patient-birth_date", "plus de 120 ans"),
        ({"line-0-start_date": "2026-12-24"}, "line-0-start_date", "dans le futur"),
        ({"tox-0-onset_date": "2026-11-26"}, "tox-0-onset_date", "dans le futur"),
        ({"case-diagnosis_date": "2027-03"}, "case-diagnosis_date", "dans le futur"),
        ({"tox-0-onset_date": "2026-05-01"}, "tox-0-onset_date", "précède la première administration"),
        ({"tox-0-grade": "6"}, "tox-0-grade", "de 1 à 5"),
        ({"tox-0-grade": "0"}, "tox-0-grade", "de 1 à 5"),
        ({"case-question": "   "}, "case-question", "question"),
        ({"patient-ins": "269054958815781"}, "patient-ins", "clé de l'INS est incorrecte"),
        ({"patient-ins": "12345"}, "patient-ins", "15 caractères"),
        ({"case-urgency": "urgent", "case-urgency_reason": ""}, "case-urgency_reason", "urgente"),
    ],
)
def test_each_rule_refuses_submission_with_a_french_message(
    client: Any, alice: Any, drugs: Any, colitis: Any, overrides: dict[str, str], field: str, message: str
) -> None:
    login(client, alice)
    response = post(client, form_data(drugs, colitis, **overrides))
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert message in body
    assert f'id="id_{field}-errors"' in body or f"#id_{field}" in body
    assert 'id="error-summary"' in body
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT and case.reference is None


def test_onset_before_first_dose_is_accepted_when_pre_existing(
    client: Any, alice: Any, drugs: Any, colitis: Any
) -> None:
    login(client, alice)
    post(client, form_data(drugs, colitis, **{"tox-0-onset_date": "2026-05-01", "tox-0-pre_existing": "on"}))
    assert Case.objects.get().status == CaseStatus.SUBMITTED


def test_at_least_one_line(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    data = form_data(drugs, colitis)
    for key in [k for k in data if k.startswith("line-0-")]:
        del data[key]
    response = post(client, data)
    assert "Au moins une ligne d'immunothérapie est obligatoire." in html.unescape(response.content.decode())
    assert Case.objects.get().status == CaseStatus.DRAFT


def test_at_least_one_toxicity_except_pre_existing_reason(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    data = form_data(drugs, colitis)
    for key in [k for k in data if k.startswith("tox-0-")]:
        del data[key]
    response = post(client, data)
    assert "Au moins une toxicité est obligatoire" in html.unescape(response.content.decode())
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT
    data["case-reason"] = RequestReason.PRE_EXISTING
    response = post(client, data, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_grade_must_be_1_to_5_at_service_level(alice: Any, complete_draft: Any) -> None:
    from django.db import IntegrityError, transaction

    tox = complete_draft.toxicities.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(tox).objects.filter(pk=tox.pk).update(grade=6)


def test_valid_ins_is_accepted(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    post(client, form_data(drugs, colitis, **{"patient-ins": "2 69 05 49 588 157 80"}))
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED
    assert case.patient.ins == "269054958815780"


def test_other_clinician_cannot_edit_a_draft(client: Any, alice: Any, bob: Any, complete_draft: Any) -> None:
    login(client, bob)
    assert client.get(reverse("cases:edit", args=[complete_draft.pk])).status_code == 404
    assert client.post(reverse("cases:edit", args=[complete_draft.pk]), {"action": "submit"}).status_code == 404


def test_secretariat_cannot_create_requests(client: Any, sam: Any) -> None:
    login(client, sam)
    assert client.get(reverse("cases:create")).status_code == 403


def test_tag_panel_suggests_urgency(client: Any, alice: Any, colitis: Any, myocarditis: Any) -> None:
    login(client, alice)
    url = reverse("cases:tag_check")
    body = client.post(url, {"tox-0-event": colitis.pk, "tox-0-grade": "2"}).content.decode()
    assert "Urgence suggérée" not in body
    body = client.post(url, {"tox-0-event": colitis.pk, "tox-0-grade": "3"}).content.decode()
    assert "Urgence suggérée" in body and "data-accept-tag" in body
    assert "Colite de grade 3" in body
    body = client.post(url, {"tox-0-event": myocarditis.pk, "tox-0-grade": "1"}).content.decode()
    assert "Urgence suggérée" in body
    body = client.post(
        url, {"tox-0-event": myocarditis.pk, "tox-0-grade": "1", "case-urgency": "urgent"}
    ).content.decode()
    assert "marquée urgente" in body


def test_add_row_returns_next_index_and_updates_total(client: Any, alice: Any, colitis: Any) -> None:
    login(client, alice)
    body = client.get(reverse("cases:toxicity_row"), {"tox-TOTAL_FORMS": "2"}).content.decode()
    assert 'name="tox-2-event"' in body
    assert 'id="id_tox-TOTAL_FORMS" value="3" hx-swap-oob="true"' in body
    body = client.get(reverse("cases:line_row"), {"line-TOTAL_FORMS": "x"}).content.decode()
    assert 'name="line-0-start_date"' in body


def test_removed_middle_row_is_ignored(client: Any, alice: Any, drugs: Any, colitis: Any, myocarditis: Any) -> None:
    login(client, alice)
    data = form_data(drugs, colitis)
    data.update({"tox-TOTAL_FORMS": "3", "tox-2-event": str(myocarditis.pk), "tox-2-grade": "4"})
    data.update({"tox-2-onset_date": "2026-10-01", "case-urgency": "urgent", "case-urgency_reason": "Myocardite"})
    post(client, data)
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED
    assert list(case.toxicities.values_list("grade", flat=True)) == [2, 4]
    assert case.highest_grade == 4


# The duplicate check: tests/cases/history/test_duplicates.py.


def test_co_requester_named_in_the_form_sees_the_case(
    client: Any, alice: Any, bob: Any, drugs: Any, colitis: Any
) -> None:
    login(client, alice)
    response = post(client, form_data(drugs, colitis, **{"case-co_requester_emails": "nobody@nowhere.test"}))
    assert "Aucun compte médecin TIGRE pour : nobody@nowhere.test." in html.unescape(response.content.decode())
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT
    post(client, form_data(drugs, colitis, **{"case-co_requester_emails": "BOB@ch-troyes.test"}), case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert list(case.co_requesters.all()) == [bob]
    login(client, bob)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_refused_submission_does_not_draw_removed_rows_again(
    client: Any, alice: Any, drugs: Any, colitis: Any, myocarditis: Any
) -> None:
    """Row 1 of three was removed in the page (its fields not sent); the submission is refused for the missing
    question: rows 0 and 2 are drawn again with what was typed, row 1 is not."""
    login(client, alice)
    data = form_data(drugs, colitis, **{"case-question": ""})
    data.update({"tox-TOTAL_FORMS": "3", "tox-2-event": str(myocarditis.pk), "tox-2-grade": "4"})
    data.update({"tox-2-onset_date": "2026-10-01"})
    response = post(client, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'name="tox-0-event"' in body and 'name="tox-2-event"' in body
    assert 'name="tox-1-event"' not in body
    assert 'name="tox-TOTAL_FORMS" value="3"' in body  # a row added next is numbered 3, after the gap


def test_the_request_asks_whether_the_patient_is_informed(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    response = post(client, form_data(drugs, colitis, **{"case-patient_informed": None}))
    assert response.status_code == 400
    assert "Indiquez si le patient est informé que son dossier est présenté en RCP." in html.unescape(
        response.content.decode()
    )
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT and case.patient_informed is None
    data = form_data(drugs, colitis, **{"case-patient_informed": "yes", "case-patient_informed_on": "2026-09-20"})
    post(client, data, case=case)
    case.refresh_from_db()
    assert (case.status, case.patient_informed, case.patient_informed_on) == (
        CaseStatus.SUBMITTED,
        True,
        dt.date(2026, 9, 20),
    )


def test_a_no_keeps_no_date_and_the_ctcae_edition_is_stored(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    data = form_data(
        drugs,
        colitis,
        action="save",
        **{"case-patient_informed": "no", "case-patient_informed_on": "2026-09-20", "tox-0-ctcae_version": "6.0"},
    )
    post(client, data)
    case = Case.objects.get()
    assert (case.patient_informed, case.patient_informed_on) == (False, None)
    assert case.toxicities.get().ctcae_version == "6.0"
    # The draft reopens with both answers.
    forms = client.get(reverse("cases:edit", args=[case.pk])).context["forms"]
    assert forms.case_form["patient_informed"].value() == "no"
    assert forms.toxicities.forms[0]["ctcae_version"].value() == "6.0"
    assert post(client, {**data, "tox-0-ctcae_version": "7.0"}, case=case).status_code == 400
