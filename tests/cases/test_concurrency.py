"""Two submissions at the same instant on PostgreSQL get distinct, sequential references."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from cases.models import Case
from cases.services import case_submit
from tests.factories.cases import CaseFactory, ImmunotherapyLineFactory, ToxicityFactory
from tests.factories.referents import ToxicityEventFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_references(alice: Any) -> None:
    assert connection.vendor == "postgresql"
    event = ToxicityEventFactory()
    cases = []
    for _ in range(6):
        case = CaseFactory(requester=alice)
        ImmunotherapyLineFactory(case=case)
        ToxicityFactory(case=case, event=event)
        cases.append(case)

    barrier = threading.Barrier(len(cases))
    errors: list[BaseException] = []

    def submit(case: Case) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            case_submit(case=case, by=alice)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    references = sorted(Case.objects.values_list("reference", flat=True))
    year = Case.objects.first().submitted_at.year  # type: ignore[union-attr]
    assert references == [f"TIGRE-{year}-{n:04d}" for n in range(1, 7)]
