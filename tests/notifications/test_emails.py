"""One French template pair per kind; links into the app; never a patient's name."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import get_template

from cases.models import CaseMessage, CaseStatus
from meetings.models import AgendaItemReferent
from tests.dates import day, french_long_date
from tests.factories.meetings import AgendaItemFactory
from tests.factories.notifications import NotificationFactory
from tigre.notifications.delivery import build_message
from tigre.notifications.models import Kind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_has_a_text_and_an_html_template(kind: str) -> None:
    assert get_template(f"emails/{kind}.txt")
    assert get_template(f"emails/{kind}.html")


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_renders_in_french_without_the_patient_name(
    kind: str, urgent_case: Any, meeting: Any, alice: Any, cardio_primary: Any, heart: Any
) -> None:
    item = AgendaItemFactory(meeting=meeting, case=urgent_case)
    AgendaItemReferent.objects.create(item=item, referent=cardio_primary, category=heart)
    n = NotificationFactory(
        kind=kind,
        recipient=cardio_primary.user,
        case=urgent_case,
        meeting=meeting,
        context={
            "message": "Merci de joindre la troponine",
            "reason": "Référent absent",
            "cutoff": "30/11/2026 23:59",
            "cases": [{"id": urgent_case.pk, "reference": urgent_case.reference, "pseudonym": "D.J. (1958)"}],
            "accepted": [],
            "info_requested": [],
            "to_triage": [],
            "gaps": ["Poumon"],
            "days": 7,
            "followups": [{"reference": urgent_case.reference, "pseudonym": "D.J. (1958)", "event": "Myocardite"}],
        },
    )
    msg = build_message(n)
    html = msg.alternatives[0][0]
    for body in (msg.body, html):
        assert "Bonjour" in body and "RCP TIGRE" in body
        assert "Durand" not in body and "Jeanne" not in body
        assert "http://" in body or "https://" in body  # a link into the app (SITE_URL)
    assert msg.subject.startswith("[TIGRE]")
    assert "&lt;" not in msg.body  # plain text is not HTML-escaped


def test_information_requested_carries_the_question(alice: Any, urgent_case: Any, sam: Any) -> None:
    CaseMessage.objects.create(
        case=urgent_case, kind=CaseMessage.Kind.INFO_REQUEST, author=sam, body="Quelle est la troponine à J3 ?"
    )
    n = NotificationFactory(kind=Kind.INFO_REQUESTED, recipient=alice, case=urgent_case)
    assert "Quelle est la troponine à J3 ?" in build_message(n).body


def test_scheduled_gives_date_and_slot(alice: Any, urgent_case: Any, meeting: Any) -> None:
    import datetime as dt

    AgendaItemFactory(meeting=meeting, case=urgent_case, slot_start=meeting.starts_at + dt.timedelta(minutes=20))
    n = NotificationFactory(kind=Kind.SCHEDULED, recipient=alice, case=urgent_case, meeting=meeting)
    body = build_message(n).body
    assert french_long_date(day()) in body and "17:20" in body  # "mercredi 2 décembre 2026"


def test_declined_gives_the_reason_recorded_on_the_transition(alice: Any, urgent_case: Any, sam: Any) -> None:
    from cases.workflow import case_transition

    case_transition(case=urgent_case, to=CaseStatus.DECLINED, by=sam, reason="Hors du champ de la RCP")
    n = NotificationFactory(kind=Kind.DECLINED, recipient=alice, case=urgent_case)
    assert "Hors du champ de la RCP" in build_message(n).body


def test_urgent_opinion_mail_does_not_carry_the_opinion_itself(alice: Any, urgent_case: Any) -> None:
    urgent_case.urgent_opinion = "Méthylprednisolone 1 g/j"
    urgent_case.save(update_fields=["urgent_opinion"])
    n = NotificationFactory(kind=Kind.URGENT_OPINION, recipient=alice, case=urgent_case)
    msg = build_message(n)
    assert "Méthylprednisolone" not in msg.body and "Méthylprednisolone" not in msg.alternatives[0][0]


def test_links_point_to_a_page_the_recipient_may_open(alice: Any, cora: Any, urgent_case: Any, meeting: Any) -> None:
    from django.urls import reverse

    from tigre.notifications.content import link_for

    def link(kind: str, user: Any, **kw: Any) -> str:
        return link_for(NotificationFactory(kind=kind, recipient=user, **kw))

    assert link(Kind.URGENT_ALERT, cora, case=urgent_case) == reverse("notifications:urgent_list")
    assert link(Kind.URGENT_ACKNOWLEDGED, alice, case=urgent_case) == reverse("cases:detail", args=[urgent_case.pk])
    assert link(Kind.URGENT_OPINION, alice, case=urgent_case) == reverse("cases:detail", args=[urgent_case.pk])
    assert link(Kind.INCOMPLETE_BEFORE_CUTOFF, alice, meeting=meeting) == reverse("cases:my_cases")
    assert link(Kind.CUTOFF_SUMMARY, cora, meeting=meeting) == reverse("cases:triage")
