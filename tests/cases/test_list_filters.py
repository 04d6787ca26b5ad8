"""The five filtered lists (django-filter FilterSets): only their declared GET parameters filter.

A parameter named like a lookup or an ordering (``status__in``, ``pk``, ``order_by``...) is ignored: nothing the
user sends becomes a field name in ``filter`` or ``order_by``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from tests.factories.cases import CaseFactory, ImmunotherapyLineFactory, SubmittedCaseFactory
from tests.factories.pharmacovigilance import PvFollowUpFactory
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.audit.services import access_log_write

pytestmark = pytest.mark.django_db

FOREIGN_KEYS = {
    "status__in": "withdrawn",
    "pk": "0",
    "pk__gt": "999999",
    "order_by": "-pk",
    "o": "patient__birth_name",
    "toxicity__grade": "5",
    "reference__startswith": "ZZZ",
    "user__is_superuser": "true",
}


def _listed(response: Any, name: str) -> list[Any]:
    if name == "registry":
        return [(r.drug, r.category, r.grade) for r in response.context["rows"]]
    return [row.pk for row in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("url", "who", "name"),
    [
        ("cases:triage", "sam", "page"),
        ("cases:my_cases", "alice", "page"),
        ("pharmacovigilance:list", "victor", "page"),
        ("pharmacovigilance:registry", "victor", "registry"),
        ("privacy:log", "cora", "page"),
    ],
)
def test_undeclared_parameters_filter_nothing(
    client: Any, request: pytest.FixtureRequest, alice: Any, url: str, who: str, name: str
) -> None:
    mine = SubmittedCaseFactory(requester=alice)
    CaseFactory(requester=alice)
    SubmittedCaseFactory(status=CaseStatus.ACCEPTED)
    follow_up = PvFollowUpFactory()

    ImmunotherapyLineFactory(case=follow_up.toxicity.case)
    access_log_write(user=alice, action=AccessLog.Action.VIEW_CASE, case=mine)
    login(client, request.getfixturevalue(who))
    plain = client.get(reverse(url))
    assert plain.status_code == 200
    assert _listed(plain, name), "the list must show something for the test to mean anything"
    sent = client.get(reverse(url), FOREIGN_KEYS)
    assert sent.status_code == 200
    assert _listed(sent, name) == _listed(plain, name)
    assert 'id="filter-errors"' not in sent.content.decode()
