"""Submission: completeness, the yearly reference, status history, notifications in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from cases.messages import Kind
from cases.models import CaseSequence, CaseStatus, StatusChange, Urgency
from cases.rules import tag_suggested
from cases.services import CaseIncomplete, case_completeness, case_submit
from tests.factories.cases import CaseFactory, ToxicityFactory
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC))
def test_submit_gives_reference_and_acknowledges(complete_draft: Any, alice: Any) -> None:
    case = case_submit(case=complete_draft, by=alice)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.reference == "TIGRE-2026-0001"
    assert case.submitted_at is not None
    assert case.highest_grade == 2
    change = StatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status, change.by) == ("draft", "submitted", alice)
    ack = Notification.objects.get(case=case)
    assert ack.kind == Kind.REQUEST_RECEIVED and ack.recipient == alice


@time_machine.travel(dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC))
def test_references_are_sequential_per_year(complete_draft: Any, alice: Any, colitis: Any) -> None:
    CaseSequence.objects.create(year=2025, last_number=41)
    case_submit(case=complete_draft, by=alice)
    second = CaseFactory(requester=alice)
    from tests.factories.cases import ImmunotherapyLineFactory

    ImmunotherapyLineFactory(case=second)
    ToxicityFactory(case=second, event=colitis)
    case_submit(case=second, by=alice)
    second.refresh_from_db()
    assert second.reference == "TIGRE-2026-0002"
    assert CaseSequence.objects.get(year=2025).last_number == 41


def test_urgent_submission_alerts_coordinators(complete_draft: Any, alice: Any, cora: Any) -> None:
    complete_draft.urgency = Urgency.URGENT
    complete_draft.urgency_reason = "Colite grade 3 sous pembrolizumab"
    complete_draft.save(update_fields=["urgency", "urgency_reason"])
    case_submit(case=complete_draft, by=alice)
    assert Notification.objects.filter(case=complete_draft, kind=Kind.URGENT_ALERT, recipient=cora).exists()


def test_incomplete_draft_is_refused_with_french_reasons(alice: Any) -> None:
    case = CaseFactory(requester=alice, question="")
    with pytest.raises(CaseIncomplete) as exc:
        case_submit(case=case, by=alice)
    fields = {f for f, _m in exc.value.missing}
    assert {"lines", "toxicities", "case-question"} <= fields
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.reference is None
    assert not Notification.objects.exists()


def test_completeness_of_a_complete_draft_is_empty(complete_draft: Any) -> None:
    assert case_completeness(complete_draft) == []


def test_tag_suggested_by_grade_or_event(colitis: Any, myocarditis: Any) -> None:
    assert not tag_suggested([{"event": colitis, "grade": 2}])
    assert tag_suggested([{"event": colitis, "grade": 3}])
    assert tag_suggested([{"event": myocarditis, "grade": 1}])
    assert not tag_suggested([])


def test_grade_5_death_does_not_suggest_the_tag(colitis: Any, myocarditis: Any) -> None:
    """CTCAE grade 5 is the patient's death: no urgent opinion to give (docs/domain.md#ctcae-grades)."""
    assert tag_suggested([{"event": colitis, "grade": 4}])
    assert not tag_suggested([{"event": colitis, "grade": 5}])
    assert not tag_suggested([{"event": myocarditis, "grade": 5}])
