"""Draft -> submit -> information requested -> answered, through the pages; withdrawing with a reason."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from cases.messages import Kind
from cases.models import Case, CaseMessage, CaseStatus, StatusChange
from cases.workflow import case_transition
from tests.factories.cases import SubmittedCaseFactory
from tests.helpers import login
from tigre.notifications.models import Notification

from .test_form import MGMT, form_data

pytestmark = pytest.mark.django_db


def test_draft_submit_info_requested_answered(client: Any, alice: Any, sam: Any, colitis: Any) -> None:
    from tests.factories.cases import DrugFactory

    drugs = (DrugFactory(name="nivolumab"), DrugFactory(name="ipilimumab"))
    login(client, alice)
    client.post(reverse("cases:create"), form_data(drugs, colitis, action="save"))
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT
    # Comes back to the draft, then submits it.
    body = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert "Durand" in body
    response = client.post(reverse("cases:edit", args=[case.pk]), form_data(drugs, colitis))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.reference
    assert case.draft_data == {}
    # The secretariat asks a question (triage's own service does the same two writes).
    CaseMessage.objects.create(case=case, kind=CaseMessage.Kind.INFO_REQUEST, author=sam, body="Bilan thyroïdien ?")
    case_transition(case=case, to=CaseStatus.INFO_REQUESTED, by=sam, reason="Bilan thyroïdien ?")
    body = html.unescape(client.get(reverse("cases:detail", args=[case.pk])).content.decode())
    assert "Bilan thyroïdien ?" in body
    # An empty answer is refused, in French; a real one sends the case back to the secretariat.
    client.post(reverse("cases:answer", args=[case.pk]), {"body": "  "})
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_REQUESTED
    response = client.post(reverse("cases:answer", args=[case.pk]), {"body": "TSH 12, T4L basse."}, follow=True)
    assert "la demande retourne au secrétariat" in html.unescape(response.content.decode())
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert CaseMessage.objects.filter(case=case, kind=CaseMessage.Kind.ANSWER, author=alice).exists()
    assert Notification.objects.filter(case=case, kind=Kind.INFO_ANSWERED, recipient=sam).exists()
    statuses = list(StatusChange.objects.filter(case=case).values_list("to_status", flat=True))
    assert statuses == ["submitted", "info_requested", "submitted"]
    body = html.unescape(client.get(reverse("cases:detail", args=[case.pk])).content.decode())
    assert "TSH 12, T4L basse." in body


def test_only_the_requester_answers(client: Any, alice: Any, sam: Any) -> None:
    case = SubmittedCaseFactory(requester=alice, status=CaseStatus.INFO_REQUESTED)
    login(client, sam)
    client.post(reverse("cases:answer", args=[case.pk]), {"body": "Je réponds à sa place"})
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_REQUESTED


def test_withdraw_needs_a_reason(client: Any, alice: Any) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    assert client.get(reverse("cases:withdraw", args=[case.pk])).status_code == 200
    response = client.post(reverse("cases:withdraw", args=[case.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Indiquez pourquoi vous retirez la demande." in html.unescape(response.content.decode())
    client.post(reverse("cases:withdraw", args=[case.pk]), {"reason": "Amélioration spontanée"})
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert StatusChange.objects.get(case=case).reason == "Amélioration spontanée"


def test_other_clinician_cannot_withdraw(client: Any, alice: Any, bob: Any) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, bob)
    assert client.post(reverse("cases:withdraw", args=[case.pk]), {"reason": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_withdrawn_case_cannot_be_withdrawn_again(client: Any, alice: Any) -> None:
    case = SubmittedCaseFactory(requester=alice, status=CaseStatus.WITHDRAWN)
    login(client, alice)
    response = client.post(reverse("cases:withdraw", args=[case.pk]), {"reason": "encore"})
    assert response.status_code == 400
    assert "Action impossible" in html.unescape(response.content.decode())


def test_draft_can_be_deleted_by_its_requester(client: Any, alice: Any) -> None:
    login(client, alice)
    client.post(reverse("cases:create"), {"action": "save", "patient-birth_name": "Test", **MGMT})
    case = Case.objects.get()
    client.post(reverse("cases:delete", args=[case.pk]))
    assert not Case.objects.exists()
