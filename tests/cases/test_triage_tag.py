"""Triage flags a request that meets the urgent TAG criterion without being marked urgent
(docs/domain.md#tag-criteria)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from cases.models import Urgency
from cases.triage.selectors import tag_unclaimed, triage_queue
from tests.factories.cases import SubmittedCaseFactory, ToxicityFactory
from tests.factories.referents import ToxicityEventFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_grade_3_colitis_not_marked_urgent_is_flagged() -> None:
    colitis = ToxicityEventFactory(label="Colite")
    case = SubmittedCaseFactory(reference="TIGRE-2026-0301")
    ToxicityFactory(case=case, event=colitis, grade=3)
    assert tag_unclaimed(triage_queue().get(pk=case.pk)) == ["Colite G3"]


def test_urgent_at_any_grade_event_is_flagged_and_urgent_requests_are_not() -> None:
    myocarditis = ToxicityEventFactory(label="Myocardite", urgent_at_any_grade=True)
    quiet = SubmittedCaseFactory(reference="TIGRE-2026-0302")
    ToxicityFactory(case=quiet, event=myocarditis, grade=1)
    marked = SubmittedCaseFactory(reference="TIGRE-2026-0303", urgency=Urgency.URGENT, urgency_reason="Myocardite")
    ToxicityFactory(case=marked, event=myocarditis, grade=1)
    mild = SubmittedCaseFactory(reference="TIGRE-2026-0304")
    ToxicityFactory(case=mild, grade=2)
    rows = {c.reference: tag_unclaimed(c) for c in triage_queue()}
    assert rows == {"TIGRE-2026-0302": ["Myocardite G1"], "TIGRE-2026-0303": [], "TIGRE-2026-0304": []}


def test_triage_queue_and_action_page_show_the_flag(client: Any, sam: Any, django_assert_max_num_queries: Any) -> None:
    colitis = ToxicityEventFactory(label="Colite")
    flagged = SubmittedCaseFactory(reference="TIGRE-2026-0305")
    ToxicityFactory(case=flagged, event=colitis, grade=3)
    for n in range(5):
        ToxicityFactory(case=SubmittedCaseFactory(reference=f"TIGRE-2026-031{n}"), grade=3 if n % 2 else 1)
    login(client, sam)
    with django_assert_max_num_queries(15):  # the queue's budget (tests/cases/test_triage.py)
        body = html.unescape(client.get(reverse("cases:triage")).content.decode())
    assert "Critère d’urgence (TAG) rempli (Colite G3), non demandée urgente" in body
    assert body.count("tag-unclaimed") == 3
    page = html.unescape(client.get(reverse("meetings:schedule_case", args=[flagged.pk])).content.decode())
    assert "mais la demande n’est pas marquée urgente" in page
