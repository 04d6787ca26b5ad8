"""The messages about a request: one French template pair per kind, built from what the services store; a link
into the app; never the patient's name, never the urgent opinion itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import get_template
from django.urls import reverse

from cases.messages import Kind, case_message
from cases.triage.services import triage_decline, triage_request_info
from cases.urgent.services import urgent_acknowledge, urgent_case_alert, urgent_opinion_record
from tests.factories.notifications import NotificationFactory
from tigre.notifications import services
from tigre.notifications.delivery import build_message
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db

CONTEXT = {
    "message": "Merci de joindre la troponine",
    "reason": "Hors du champ de la RCP",
    "grade": 4,
    "requester": "Dr Alice Aubert",
    "acknowledged_by": "Dr Cora Colin",
    "opinion_at": "28 novembre 2026 à 10:00",
    "alerted_at": "28 novembre 2026 à 08:00",
    "days": 7,
    "followups": [{"reference": "TIGRE-2026-0001", "pseudonym": "D.J. (1958)", "event": "Myocardite", "grade": 4}],
}


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_has_a_french_template_pair_without_the_patient_name(
    kind: str, urgent_case: Any, alice: Any
) -> None:
    assert get_template(f"emails/{kind}.txt") and get_template(f"emails/{kind}.html")
    message = case_message(kind=kind, case=urgent_case, recipient=alice, subject="Objet", context=CONTEXT)
    n = NotificationFactory(
        kind=kind, recipient=alice, subject=message.subject, link=message.link, context=message.context
    )
    msg = build_message(n)
    html = msg.alternatives[0][0]
    for body in (msg.body, html):
        assert "Bonjour" in body and "RCP TIGRE" in body
        assert "Durand" not in body and "Jeanne" not in body
        assert "http://" in body or "https://" in body
    assert "&lt;" not in msg.body


def _mail(kind: str, recipient: Any) -> Any:
    return build_message(Notification.objects.get(kind=kind, recipient=recipient))


def test_information_requested_carries_the_question(urgent_case: Any, alice: Any, sam: Any) -> None:
    triage_request_info(case=urgent_case, by=sam, body="Quelle est la troponine à J3 ?")
    msg = _mail(Kind.INFO_REQUESTED, alice)
    assert "Quelle est la troponine à J3 ?" in msg.body and urgent_case.reference in msg.subject


def test_declined_gives_the_reason(urgent_case: Any, alice: Any, sam: Any) -> None:
    triage_decline(case=urgent_case, by=sam, reason="Hors du champ de la RCP")
    assert "Hors du champ de la RCP" in _mail(Kind.DECLINED, alice).body


def test_urgent_messages_link_to_the_list_but_the_requester_to_the_case(
    urgent_case: Any, alice: Any, cora: Any, meeting: Any, cardio_primary: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    alert = Notification.objects.get(kind=Kind.URGENT_ALERT, recipient=cora)
    assert alert.link == reverse("urgent:list") and alert.context["urgent"] is True
    assert alice.display_name in build_message(alert).body
    urgent_acknowledge(case=urgent_case, by=cora)
    ack = Notification.objects.get(kind=Kind.URGENT_ACKNOWLEDGED, recipient=alice)
    assert ack.link == reverse("cases:detail", args=[urgent_case.pk])
    assert Notification.objects.get(kind=Kind.URGENT_ACKNOWLEDGED, recipient=cardio_primary.user).link == reverse(
        "urgent:list"
    )


def test_urgent_opinion_mail_does_not_carry_the_opinion_itself(
    urgent_case: Any, alice: Any, cora: Any, meeting: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_acknowledge(case=urgent_case, by=cora)
    urgent_opinion_record(case=urgent_case, by=cora, opinion="Méthylprednisolone 1 g/j pendant 3 jours")
    msg = _mail(Kind.URGENT_OPINION, alice)
    assert "Méthylprednisolone" not in msg.body and "Méthylprednisolone" not in msg.alternatives[0][0]
    assert cora.display_name in msg.body
