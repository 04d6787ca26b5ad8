"""Query counts of "Mes demandes", the case page and the form do not grow with cases or rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseMessage, CaseStatus, StatusChange
from tests.factories.cases import CaseFactory, ImmunotherapyLineFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import AgendaItemFactory, MeetingFactory
from tests.factories.referents import ToxicityEventFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


def _count(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _rich_case(alice: Any, sam: Any, rows: int) -> Any:
    case = SubmittedCaseFactory(requester=alice)
    for i in range(rows):
        ImmunotherapyLineFactory(case=case)
        ToxicityFactory(case=case, event=ToxicityEventFactory(), grade=1 + i % 5)
        StatusChange.objects.create(case=case, from_status="submitted", to_status="submitted", by=sam)
        CaseMessage.objects.create(case=case, kind=CaseMessage.Kind.NOTE, author=sam, body=f"note {i}")
    return case


def test_my_cases_queries_do_not_grow(client: Any, alice: Any, django_assert_max_num_queries: Any) -> None:
    login(client, alice)
    url = reverse("cases:my_cases")
    SubmittedCaseFactory(requester=alice)
    few = _count(client, url)
    meeting = MeetingFactory()
    for i in range(15):
        case = SubmittedCaseFactory(requester=alice, status=CaseStatus.SCHEDULED)
        if i % 2:
            AgendaItemFactory(case=case, meeting=meeting)
        CaseFactory(requester=alice)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    assert meeting.starts_at.strftime("%d/%m/%Y") in response.content.decode()


def test_case_page_queries_do_not_grow(client: Any, alice: Any, sam: Any, django_assert_max_num_queries: Any) -> None:
    login(client, alice)
    small = _rich_case(alice, sam, 1)
    few = _count(client, reverse("cases:detail", args=[small.pk]))
    big = _rich_case(alice, sam, 8)
    with django_assert_max_num_queries(few):
        assert client.get(reverse("cases:detail", args=[big.pk])).status_code == 200


def test_draft_form_queries_do_not_grow(client: Any, alice: Any, django_assert_max_num_queries: Any) -> None:
    login(client, alice)
    small = CaseFactory(requester=alice)
    ImmunotherapyLineFactory(case=small)
    ToxicityFactory(case=small)
    few = _count(client, reverse("cases:edit", args=[small.pk]))
    big = CaseFactory(requester=alice)
    for _ in range(6):
        ImmunotherapyLineFactory(case=big)
        ToxicityFactory(case=big)
    with django_assert_max_num_queries(few):
        assert client.get(reverse("cases:edit", args=[big.pk])).status_code == 200
