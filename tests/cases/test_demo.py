"""The demo requests: every state the other parts need, consistent histories, idempotent."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

import pytest

from cases.models import Case, CaseMessage, CaseStatus, Urgency
from cases.services import case_completeness
from tigre.lib.validators import validate_ins

pytestmark = pytest.mark.django_db


def _load(password: str) -> None:
    from cases import demo as cases_demo
    from referents import demo as referents_demo
    from tigre.accounts import demo as accounts_demo

    referents_demo.load_centres(password=password)
    accounts_demo.load(password=password)
    cases_demo.load(password=password)


def test_demo_cases_cover_every_state_and_reload_idempotently(password: str) -> None:
    _load(password)
    _load(password)
    counts = Counter(Case.objects.values_list("status", flat=True))
    assert counts == {
        CaseStatus.DRAFT: 2,
        CaseStatus.SUBMITTED: 3,
        CaseStatus.INFO_REQUESTED: 1,
        CaseStatus.ACCEPTED: 6,
        CaseStatus.DECLINED: 1,
        CaseStatus.WITHDRAWN: 1,
    }
    urgent = Case.objects.get(urgency=Urgency.URGENT)
    assert urgent.status == CaseStatus.SUBMITTED and urgent.highest_grade == 4
    assert urgent.toxicities.filter(event__code="myocarditis", grade=4).exists()
    assert CaseMessage.objects.filter(case__status=CaseStatus.INFO_REQUESTED, kind="info_request").exists()
    for case in Case.objects.exclude(status=CaseStatus.DRAFT).prefetch_related("status_changes"):
        changes = list(case.status_changes.all())
        assert changes[0].from_status == "draft" and changes[-1].to_status == case.status
        assert all(a.to_status == b.from_status for a, b in pairwise(changes))
        assert case.submitted_at is not None and case.reference
        assert case_completeness(case) == []
        validate_ins(case.patient.ins)
    assert Case.objects.filter(requester__email="clinicien@demo.tigre").count() >= 6


def test_demo_clinicians_can_log_in(client: Any, password: str) -> None:
    from django.urls import reverse

    _load(password)
    response = client.post(reverse("accounts:login"), {"username": "dr.schmitt@demo.tigre", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("cases:my_cases")).status_code == 200
