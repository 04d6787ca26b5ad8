"""Generated data posted to the request form never gets a server error, and never submits an invalid case."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, CaseStatus
from cases.services import case_completeness
from tests.helpers import login

pytestmark = pytest.mark.django_db

FIELDS = [
    "patient-birth_name",
    "patient-first_names",
    "patient-sex",
    "patient-birth_date",
    "patient-ins",
    "patient-ins_status",
    "patient-treating_centre",
    "patient-weight_kg",
    "patient-height_cm",
    "case-primary_site_label",
    "case-diagnosis_date",
    "case-performance_status",
    "case-reason",
    "case-question",
    "case-urgency",
    "case-urgency_reason",
    "line-TOTAL_FORMS",
    "line-INITIAL_FORMS",
    "line-0-drugs",
    "line-0-regimen",
    "line-0-setting",
    "line-0-start_date",
    "line-0-last_dose_date",
    "line-0-cycles",
    "line-0-status",
    "tox-TOTAL_FORMS",
    "tox-INITIAL_FORMS",
    "tox-0-event",
    "tox-0-grade",
    "tox-0-onset_date",
    "tox-0-pre_existing",
    "tox-0-steroids_mg_per_kg",
    "tox-5-grade",
    "action",
]

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789-/ ", max_size=12),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "3",
            "5",
            "6",
            "-1",
            "99999999999999999999",
            "2026-02-30",
            "1900-01-01",
            "2026-01-01",
            "2999-12-31",
            "F",
            "M",
            "urgent",
            "standard",
            "submit",
            "save",
            "pre_existing",
            "on",
            "1e9",
            "NaN",
            "\x00",
            "../../x",
            "269054958815780",
        ]
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS)))
def test_posting_anything_never_errors(client: Any, alice: Any, colitis: Any, data: dict[str, str]) -> None:
    login(client, alice)
    response = client.post(reverse("cases:create"), data)
    assert response.status_code < 500
    for case in Case.objects.filter(requester=alice).exclude(status=CaseStatus.DRAFT):
        assert case_completeness(case) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS)))
def test_htmx_partials_never_error(client: Any, alice: Any, colitis: Any, data: dict[str, str]) -> None:
    login(client, alice)
    assert client.post(reverse("cases:tag_check"), data).status_code == 200
    assert client.post(reverse("cases:duplicate_check"), data).status_code == 200
    assert client.get(reverse("cases:toxicity_row"), data).status_code == 200
    assert (
        client.get(
            reverse("cases:my_cases"), {"status": data.get("action", ""), "q": data.get("case-question", "")}
        ).status_code
        == 200
    )
