from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.pharmacovigilance.models import PvStatus
from cases.pharmacovigilance.selectors import overdue_to_declare
from tests.factories.pharmacovigilance import PvFollowUpFactory

pytestmark = pytest.mark.django_db


def test_overdue_to_declare_keeps_only_old_to_declare_oldest_first(django_assert_num_queries):
    now = timezone.now()
    old = PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - timedelta(days=10))
    older = PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - timedelta(days=20))
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - timedelta(days=3))
    PvFollowUpFactory(status=PvStatus.DECLARED, status_changed_at=now - timedelta(days=30))
    PvFollowUpFactory(status=PvStatus.TO_ASSESS, status_changed_at=now - timedelta(days=30))

    with django_assert_num_queries(1):
        rows = list(overdue_to_declare(older_than_days=7))
        # Related rows are loaded with the follow-up: no further query.
        labels = [(r.toxicity.case.pk, r.toxicity.event.label, r.toxicity.event.category.label) for r in rows]

    assert [r.pk for r in rows] == [older.pk, old.pk]
    assert len(labels) == 2


def test_overdue_boundary_is_strict():
    now = timezone.now()
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - timedelta(days=7) + timedelta(minutes=5))
    assert list(overdue_to_declare(older_than_days=7)) == []
