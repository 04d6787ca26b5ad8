"""The case page and "Mes demandes": scope, audit trail, content."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseMessage, CaseStatus, CtcaeVersion, Urgency
from cases.services import case_submit
from tests.factories.cases import CaseFactory, SubmittedCaseFactory, ToxicityFactory
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def test_case_page_shows_the_case_and_records_the_access(client: Any, alice: Any, complete_draft: Any) -> None:
    case = case_submit(case=complete_draft, by=alice)
    login(client, alice)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.reference in body
    assert "Colite" in body and "pembrolizumab" in body
    assert AccessLog.objects.filter(user=alice, case_id=case.pk, action=AccessLog.Action.VIEW_CASE).count() == 1


@pytest.mark.parametrize(
    ("informed", "on", "shown"),
    [(True, dt.date(2026, 11, 20), "Oui, le 20/11/2026"), (False, None, "Non"), (None, None, "Non renseigné")],
)
def test_case_page_says_whether_the_patient_was_told_and_the_ctcae_edition(
    client: Any, alice: Any, informed: bool | None, on: dt.date | None, shown: str
) -> None:
    """What the fiche RCP records (docs/domain.md#fiche-rcp) is on the case page too: whether the patient was told
    that the board discusses their case, and the CTCAE edition each grade was given in; grade 5 says death."""
    case = SubmittedCaseFactory(requester=alice, patient_informed=informed, patient_informed_on=on)
    ToxicityFactory(case=case, grade=5, ctcae_version=CtcaeVersion.V6)
    login(client, alice)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    informed_row = re.search(r"Informé de la présentation en RCP</dt><dd[^>]*>([^<]*)</dd>", body)
    assert informed_row is not None and informed_row.group(1) == shown
    assert "CTCAE v6.0" in body and "<strong>décès</strong>" in body


def test_another_clinician_gets_404(client: Any, bob: Any, alice: Any) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, bob)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_co_requester_sees_the_case(client: Any, bob: Any, alice: Any) -> None:
    case = SubmittedCaseFactory(requester=alice)
    case.co_requesters.add(bob)
    login(client, bob)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert case.reference in client.get(reverse("cases:my_cases")).content.decode()


def test_secretariat_sees_any_case(client: Any, sam: Any, alice: Any) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, sam)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_my_cases_lists_only_own_requests(client: Any, alice: Any, bob: Any) -> None:
    mine = SubmittedCaseFactory(requester=alice)
    theirs = SubmittedCaseFactory(requester=bob)
    login(client, alice)
    body = client.get(reverse("cases:my_cases")).content.decode()
    assert mine.reference in body and theirs.reference not in body


def test_my_cases_filters_by_status(client: Any, alice: Any) -> None:
    draft = CaseFactory(requester=alice)
    sent = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    body = client.get(reverse("cases:my_cases"), {"status": "draft"}).content.decode()
    assert f"n° {draft.pk}" in body and sent.reference not in body
    body = client.get(reverse("cases:my_cases"), {"status": "nonsense"}).content.decode()
    assert sent.reference in body
    assert "Sélectionnez un choix valide. nonsense n’en fait pas partie." in html.unescape(body)


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"status": "in_progress"}, {"SENT", "INFO"}),
        ({"status": "info_requested"}, {"INFO"}),
        ({"status": "answered"}, {"DONE"}),
        ({"status": "ended"}, {"GONE"}),
        ({"urgency": "urgent"}, {"INFO"}),
        ({"q": "zéph"}, {"DONE"}),
        ({"q": "5-9042"}, {"SENT"}),
        ({"status": "in_progress", "urgency": "standard"}, {"SENT"}),
        # One filter that cannot be read: none applies, the page says why.
        ({"status": "in_progress", "urgency": "urgency"}, {"SENT", "INFO", "DONE", "GONE", "DRAFT"}),
    ],
)
def test_my_cases_filters(client: Any, alice: Any, params: dict[str, str], shown: set[str]) -> None:
    labels = {
        SubmittedCaseFactory(requester=alice, reference="TIGRE-2025-9042").pk: "SENT",
        SubmittedCaseFactory(requester=alice, status=CaseStatus.INFO_REQUESTED, urgency=Urgency.URGENT).pk: "INFO",
        SubmittedCaseFactory(
            requester=alice, status=CaseStatus.AVIS_VALIDATED, patient__birth_name="Zéphyr"
        ).pk: "DONE",
        SubmittedCaseFactory(requester=alice, status=CaseStatus.WITHDRAWN).pk: "GONE",
        CaseFactory(requester=alice).pk: "DRAFT",
    }
    login(client, alice)
    response = client.get(reverse("cases:my_cases"), params)
    assert response.status_code == 200
    assert {labels[case.pk] for case in response.context["cases"]} == shown
    assert ('id="filter-errors"' in response.content.decode()) == (params.get("urgency") == "urgency")


def test_timeline_shows_messages(client: Any, alice: Any, sam: Any) -> None:
    case = SubmittedCaseFactory(requester=alice, status=CaseStatus.INFO_REQUESTED)
    CaseMessage.objects.create(case=case, kind=CaseMessage.Kind.INFO_REQUEST, author=sam, body="Quel est le grade ?")
    login(client, alice)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Quel est le grade ?" in body
    assert "Répondre et renvoyer au secrétariat" in body
