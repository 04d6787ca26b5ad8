"""Two secretaries editing the same agenda at once, in two real PostgreSQL transactions."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from meetings.agenda.services import agenda_build, agenda_item_shift
from meetings.lock import MeetingConflict
from meetings.models import Meeting
from tests.dates import meeting_start
from tests.factories.accounts import UserFactory
from tests.factories.agenda import accepted_case
from tests.factories.meetings import MeetingFactory


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


# A real commit is needed for the second connection to see the data, hence transaction=True. No
# serialized_rollback: the test builds everything it needs with factories, and reloading serialized rows
# clashes with the role groups post_migrate re-creates after another transactional test's flush.
@pytest.mark.django_db(transaction=True)
def test_second_stale_edit_waits_then_gets_a_conflict_and_loses_nothing() -> None:
    first_secretary = UserFactory(roles=["secretariat"])
    second_secretary = UserFactory(roles=["secretariat"])
    meeting = MeetingFactory(starts_at=meeting_start(1))
    for n, ref in enumerate(("A", "B", "C")):
        accepted_case(reference=ref, grade=4 - n)
    agenda_build(meeting=meeting, by=first_secretary)
    meeting.refresh_from_db()
    stale = meeting.version
    items = dict(meeting.items.values_list("case__reference", "pk"))

    first_done = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                agenda_item_shift(
                    meeting=meeting, item_id=items["C"], offset=-1, by=first_secretary, expected_version=stale
                )
                first_done.set()
                release_first.wait(timeout=30)  # hold the row lock, uncommitted
            outcome["first"] = "committed"
        except Exception as exc:  # reported to the main thread
            outcome["first"] = exc
        finally:
            connections.close_all()

    def second() -> None:
        try:
            agenda_item_shift(
                meeting=meeting, item_id=items["A"], offset=1, by=second_secretary, expected_version=stale
            )
            outcome["second"] = "committed"
        except Exception as exc:
            outcome["second"] = exc
        finally:
            connections.close_all()

    t1 = threading.Thread(target=first)
    t1.start()
    assert first_done.wait(timeout=30)
    t2 = threading.Thread(target=second)
    t2.start()
    # Wait until the second transaction is really blocked on the meeting row (not a timing assertion).
    for _ in range(300):
        if _waiting_on_a_lock():
            break
        time.sleep(0.05)
    assert _waiting_on_a_lock() == 1
    release_first.set()
    t1.join(timeout=30)
    t2.join(timeout=30)

    assert outcome["first"] == "committed"
    assert isinstance(outcome["second"], MeetingConflict)
    assert "modifiée par quelqu'un d'autre" in outcome["second"].messages[0]
    meeting.refresh_from_db()
    assert meeting.version == stale + 1
    assert list(meeting.items.order_by("position").values_list("case__reference", flat=True)) == ["A", "C", "B"]
    assert Meeting.objects.get(pk=meeting.pk).items.filter(placed_manually=True).count() == 1
