"""The agenda builder and the agenda edits (services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Case, CaseStatus, StatusChange
from meetings.agenda.services import (
    agenda_add_case,
    agenda_build,
    agenda_item_move_to,
    agenda_item_remove,
    agenda_item_shift,
    agenda_publish,
    agenda_reorder,
)
from meetings.lock import MeetingConflict, MeetingError, MeetingLocked
from meetings.models import AgendaItemReferent, Meeting, Participant
from referents.models import Coverage
from tests.dates import PARIS, at, day, french_day_month, french_long_date, meeting_start
from tests.factories.agenda import accepted_case, referent_for
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import AbsenceFactory, CentreFactory, OrganCategoryFactory
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting() -> Meeting:
    # The Wednesday after BASE_WEDNESDAY; cut-off the Monday before it, 23:59.
    return MeetingFactory(starts_at=meeting_start(1), planned_date=day(weeks=1))


@pytest.fixture
def next_one() -> Meeting:
    return MeetingFactory(starts_at=meeting_start(2), planned_date=day(weeks=2))


def order(meeting: Meeting) -> list[str]:
    return list(meeting.items.order_by("position").values_list("case__reference", flat=True))


def test_order_urgent_ratifications_urgent_then_grade_then_submission(meeting: Meeting, sam: Any) -> None:
    old_g2 = accepted_case(grade=2, submitted_at=at(day(-2), 9), reference="A-G2-OLD")
    new_g2 = accepted_case(grade=2, submitted_at=at(day(-1), 9), reference="A-G2-NEW")
    g4 = accepted_case(grade=4, submitted_at=at(day(), 9), reference="A-G4")
    urgent = accepted_case(grade=3, urgent=True, submitted_at=at(day(), 10), reference="A-URG")
    ratif = accepted_case(grade=3, urgent=True, ratification=True, submitted_at=at(day(1), 10), reference="A-RAT")
    result = agenda_build(meeting=meeting, by=sam)
    assert order(meeting) == ["A-RAT", "A-URG", "A-G4", "A-G2-OLD", "A-G2-NEW"]
    assert {i.case_id for i in result.added} == {c.pk for c in (old_g2, new_g2, g4, urgent, ratif)}
    kinds = dict(meeting.items.values_list("case__reference", "kind"))
    assert kinds == {
        "A-RAT": "urgent_ratification",
        "A-URG": "urgent",
        "A-G4": "standard",
        "A-G2-OLD": "standard",
        "A-G2-NEW": "standard",
    }
    slots = [timezone_local(s) for s in meeting.items.order_by("position").values_list("slot_start", flat=True)]
    assert slots == ["17:00", "17:10", "17:20", "17:30", "17:40"]
    for case in (old_g2, ratif):
        case.refresh_from_db()
        assert case.status == CaseStatus.SCHEDULED
    assert StatusChange.objects.filter(case=ratif, to_status=CaseStatus.SCHEDULED, by=sam).exists()
    meeting.refresh_from_db()
    assert meeting.version == result.meeting.version == 1


def timezone_local(value: dt.datetime) -> str:
    return value.astimezone(PARIS).strftime("%H:%M")


def test_cutoff_tuesday_requests_wait_except_urgent_ones(meeting: Meeting, sam: Any) -> None:
    in_time = accepted_case(submitted_at=at(day(5), 23, 59, 30), reference="IN-TIME")
    late = accepted_case(submitted_at=at(day(6), 0), reference="LATE")
    late_urgent = accepted_case(submitted_at=at(day(6), 9), urgent=True, reference="LATE-URG")
    agenda_build(meeting=meeting, by=sam)
    assert order(meeting) == ["LATE-URG", "IN-TIME"]
    late.refresh_from_db()
    assert late.status == CaseStatus.ACCEPTED
    assert in_time.pk and late_urgent.pk


def test_only_accepted_requests_are_taken(meeting: Meeting, sam: Any) -> None:
    accepted_case(reference="OK")
    accepted_case(status=CaseStatus.SUBMITTED, reference="SUBMITTED")
    accepted_case(status=CaseStatus.INFO_REQUESTED, reference="INFO")
    agenda_build(meeting=meeting, by=sam)
    assert order(meeting) == ["OK"]


def test_capacity_overflow_moves_the_rest_to_the_next_meeting_and_tells_requesters(
    meeting: Meeting, next_one: Meeting, sam: Any
) -> None:
    # 90 minutes / 10-minute slots = 9 places.
    cases = [accepted_case(grade=1 + (n % 4), submitted_at=at(day(-1), 8, n)) for n in range(12)]
    result = agenda_build(meeting=meeting, by=sam)
    assert result.capacity == 9
    assert meeting.items.count() == 9
    assert len(result.moved) == 3
    assert result.moved_to == next_one
    moved_ids = {c.pk for c in result.moved}
    # The lowest priority ones (grade 1, latest submitted) move.
    lowest = sorted(cases, key=lambda c: (-c.highest_grade, c.submitted_at))[-3:]
    assert moved_ids == {c.pk for c in lowest}
    assert set(next_one.items.values_list("case_id", flat=True)) == moved_ids
    notices = Notification.objects.filter(kind="postponed", case__pk__in=moved_ids, key__contains=f":to{next_one.pk}:")
    assert notices.count() == 3
    notice = notices.first()
    assert notice is not None and notice.recipient_id == notice.about.requester_id
    assert french_day_month(day(weeks=2)) in notice.context["to_meeting"]
    next_one.refresh_from_db()
    assert next_one.version == 1


def test_overflow_without_next_meeting_leaves_cases_accepted_and_tells_requesters(meeting: Meeting, sam: Any) -> None:
    for n in range(10):
        accepted_case(submitted_at=at(day(-1), 8, n))
    result = agenda_build(meeting=meeting, by=sam)
    assert result.moved_to is None and len(result.moved) == 1
    (left,) = result.moved
    left.refresh_from_db()
    assert left.status == CaseStatus.ACCEPTED
    assert Notification.objects.filter(kind="postponed", case=left).exists()


def test_rebuild_is_idempotent_and_keeps_manual_placements(meeting: Meeting, sam: Any) -> None:
    a = accepted_case(grade=4, reference="A")
    b = accepted_case(grade=3, reference="B")
    c = accepted_case(grade=2, reference="C")
    agenda_build(meeting=meeting, by=sam)
    assert order(meeting) == ["A", "B", "C"]
    before = list(meeting.items.order_by("position").values_list("pk", "case_id", "position", "slot_start"))
    second = agenda_build(meeting=meeting, by=sam)
    assert second.added == [] and second.moved == []
    assert list(meeting.items.order_by("position").values_list("pk", "case_id", "position", "slot_start")) == before
    # The secretariat moves C to the top by hand; a new grade-4 request arrives.
    meeting.refresh_from_db()
    item_c = meeting.items.get(case=c)
    agenda_item_shift(meeting=meeting, item_id=item_c.pk, offset=-1, by=sam, expected_version=meeting.version)
    meeting.refresh_from_db()
    agenda_item_shift(meeting=meeting, item_id=item_c.pk, offset=-1, by=sam, expected_version=meeting.version)
    assert order(meeting) == ["C", "A", "B"]
    accepted_case(grade=4, reference="D", submitted_at=at(day(), 9))
    agenda_build(meeting=meeting, by=sam)
    assert order(meeting) == ["C", "A", "D", "B"]
    assert meeting.items.get(case=c).placed_manually
    assert a.pk and b.pk
    # And once more: nothing changes.
    snapshot = order(meeting)
    agenda_build(meeting=meeting, by=sam)
    assert order(meeting) == snapshot


def test_referents_attached_once_per_category_and_invitation_list(
    meeting: Meeting, sam: Any, cora: Any, victor: Any, django_assert_max_num_queries: Any
) -> None:
    reims = CentreFactory(name="CHU de Reims", city="Reims")
    nancy = CentreFactory(name="CHRU de Nancy", city="Nancy")
    heart = OrganCategoryFactory(code="coeur-test", label="Cœur")
    gut = OrganCategoryFactory(code="digestif-test", label="Digestif")
    eye = OrganCategoryFactory(code="oeil-test", label="Œil")
    heart_nancy = referent_for(heart, centre=nancy, last_name="Aaron")
    heart_reims = referent_for(heart, centre=reims, last_name="Zola")
    gut_backup = referent_for(gut, rank=Coverage.Rank.BACKUP, last_name="Backup")
    gut_primary_absent = referent_for(gut, last_name="Absent")
    AbsenceFactory(referent=gut_primary_absent, start=day(weeks=1), end=day(weeks=1))
    meeting.coordinators.add(cora)
    reims_case = accepted_case(category=heart, requester_centre=reims, reference="REIMS")
    nancy_case = accepted_case(category=heart, requester_centre=nancy, reference="NANCY")
    gut_case = accepted_case(category=gut, reference="GUT")
    eye_case = accepted_case(category=eye, reference="EYE")
    result = agenda_build(meeting=meeting, by=sam)
    chosen = {
        (r.item.case.reference, r.category_id): r.referent_id
        for r in AgendaItemReferent.objects.select_related("item__case")
    }
    assert chosen == {
        ("REIMS", heart.pk): heart_reims.pk,  # the case's centre is preferred
        ("NANCY", heart.pk): heart_nancy.pk,
        ("GUT", gut.pk): gut_backup.pk,  # the primary is absent that day: the backup
    }
    assert [c.label for c in result.gaps] == ["Œil"]
    invited = dict(Participant.objects.filter(meeting=meeting).values_list("user_id", "role"))
    assert invited == {
        heart_reims.user_id: "referent",
        heart_nancy.user_id: "referent",
        gut_backup.user_id: "referent",
        cora.pk: "coordinator",
        victor.pk: "pharmacovigilance",
    }
    assert reims_case.pk and nancy_case.pk and gut_case.pk and eye_case.pk


@pytest.mark.parametrize("n", [5, 60])
def test_builder_query_count_does_not_grow_with_cases(
    n: int, meeting: Meeting, next_one: Meeting, sam: Any, django_assert_max_num_queries: Any
) -> None:
    categories = [OrganCategoryFactory() for _ in range(3)]
    for cat in categories:
        referent_for(cat)
    for k in range(n):
        accepted_case(category=categories[k % 3], grade=1 + k % 4, urgent=k % 7 == 0)
    # The same ceiling for 5 and 60 cases (60 also overflows into the next meeting).
    with django_assert_max_num_queries(50):
        result = agenda_build(meeting=meeting, by=sam)
    assert meeting.items.count() == min(n, 9)
    assert len(result.moved) == max(n - 9, 0)


def test_builder_queries_are_the_same_for_20_and_60_overflowing_cases(sam: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    categories = [OrganCategoryFactory() for _ in range(3)]
    for cat in categories:
        referent_for(cat)
    for week, n in enumerate((20, 60)):
        meeting = MeetingFactory(starts_at=meeting_start(5 + 2 * week))
        MeetingFactory(starts_at=meeting_start(6 + 2 * week))
        for k in range(n):
            accepted_case(category=categories[k % 3], grade=1 + k % 4, urgent=k % 7 == 0)
        with CaptureQueriesContext(connection) as ctx:
            agenda_build(meeting=meeting, by=sam)
        counts.append(len(ctx.captured_queries))
        # Leave nothing accepted for the next round.
        Case.objects.filter(status=CaseStatus.ACCEPTED).update(status=CaseStatus.DECLINED)
    assert counts[0] == counts[1]


def test_builder_refuses_a_validated_or_held_meeting(sam: Any) -> None:
    held = MeetingFactory(status=Meeting.Status.HELD)
    with pytest.raises(MeetingError, match="déjà tenue"):
        agenda_build(meeting=held, by=sam)
    validated = MeetingFactory(status=Meeting.Status.VALIDATED)
    with pytest.raises(MeetingLocked, match="validée"):
        agenda_build(meeting=validated, by=sam)


def test_add_late_case_inserts_urgent_after_urgent_and_notifies(meeting: Meeting, sam: Any) -> None:
    accepted_case(urgent=True, reference="U1")
    accepted_case(reference="S1")
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    late = accepted_case(urgent=True, submitted_at=at(day(6), 12), reference="U-LATE")
    item = agenda_add_case(meeting=meeting, case=late, by=sam, expected_version=meeting.version)
    assert order(meeting) == ["U1", "U-LATE", "S1"]
    assert item.placed_manually and item.kind == "urgent"
    late.refresh_from_db()
    assert late.status == CaseStatus.SCHEDULED
    notice = Notification.objects.get(kind="scheduled", case=late)
    assert notice.recipient_id == late.requester_id and f":meeting{meeting.pk}:" in notice.key
    assert notice.context["meeting_date"] == french_long_date(timezone.localdate(meeting.starts_at))
    assert notice.context["slot"] == "17\u00a0h\u00a010"
    with pytest.raises(MeetingError, match="déjà à l'ordre du jour"):
        agenda_add_case(meeting=meeting, case=late, by=sam)


def test_add_case_refuses_stale_version_and_wrong_status(meeting: Meeting, sam: Any) -> None:
    case = accepted_case()
    with pytest.raises(MeetingConflict) as exc:
        agenda_add_case(meeting=meeting, case=case, by=sam, expected_version=meeting.version + 3)
    assert "modifiée par quelqu'un d'autre" in exc.value.messages[0]
    declined = accepted_case(status=CaseStatus.DECLINED)
    with pytest.raises(ValidationError, match="Refusée"):
        agenda_add_case(meeting=meeting, case=declined, by=sam)
    assert not meeting.items.exists()


def test_move_item_to_another_meeting(meeting: Meeting, next_one: Meeting, sam: Any) -> None:
    a = accepted_case(grade=3, reference="A")
    accepted_case(grade=2, reference="B")
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    item = meeting.items.get(case=a)
    moved = agenda_item_move_to(
        meeting=meeting, item_id=item.pk, target=next_one, by=sam, expected_version=meeting.version
    )
    assert order(meeting) == ["B"]
    assert timezone_local(meeting.items.get().slot_start) == "17:00"
    assert moved.meeting_id == next_one.pk and moved.placed_manually
    assert Notification.objects.filter(kind="scheduled", case=a, key__contains=f":meeting{next_one.pk}:").exists()


def test_remove_item_sends_case_back_to_accepted(meeting: Meeting, sam: Any) -> None:
    a = accepted_case(reference="A")
    accepted_case(reference="B")
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    item = meeting.items.get(case=a)
    agenda_item_remove(
        meeting=meeting, item_id=item.pk, by=sam, expected_version=meeting.version, reason="Dossier vide"
    )
    a.refresh_from_db()
    assert a.status == CaseStatus.ACCEPTED
    assert a.status_changes.last().reason == "Dossier vide"
    assert order(meeting) == ["B"]
    meeting.refresh_from_db()
    with pytest.raises(MeetingError, match="n'est plus"):
        agenda_item_remove(meeting=meeting, item_id=item.pk, by=sam, expected_version=meeting.version)


def test_reorder_whole_list_and_stale_edit_refused(meeting: Meeting, sam: Any) -> None:
    for ref in ("A", "B", "C"):
        accepted_case(reference=ref, grade={"A": 4, "B": 3, "C": 2}[ref])
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    ids = dict(meeting.items.values_list("case__reference", "pk"))
    version = meeting.version
    agenda_reorder(meeting=meeting, order=[ids["C"], ids["A"], ids["B"]], by=sam, expected_version=version)
    assert order(meeting) == ["C", "A", "B"]
    # Only C was moved by hand; A and B just made room.
    assert list(meeting.items.filter(placed_manually=True).values_list("case__reference", flat=True)) == ["C"]
    with pytest.raises(MeetingConflict):
        agenda_item_shift(meeting=meeting, item_id=ids["A"], offset=1, by=sam, expected_version=version)
    assert order(meeting) == ["C", "A", "B"]


def test_moved_items_finds_what_a_drag_really_moved() -> None:
    from meetings.agenda.ordering import moved_items

    assert moved_items([6, 0, 1, 2, 3, 4, 5], list("GABCDEF")) == ["G"]
    assert moved_items([0, 1, 2], list("ABC")) == []
    assert moved_items([1, 0], list("BA")) == ["B"]
    assert moved_items([], []) == []


def test_publish_notifies_invited_referents_and_requesters(meeting: Meeting, sam: Any, rita: Any) -> None:
    heart = OrganCategoryFactory()
    ref = referent_for(heart)
    case = accepted_case(category=heart)
    with pytest.raises(MeetingError, match="vide"):
        agenda_publish(meeting=meeting, by=sam, expected_version=meeting.version)
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    with pytest.raises(MeetingConflict):
        agenda_publish(meeting=meeting, by=sam, expected_version=meeting.version - 1)
    published = agenda_publish(meeting=meeting, by=sam, expected_version=meeting.version)
    assert published.status == Meeting.Status.PUBLISHED and published.published_at is not None
    assert list(
        Notification.objects.filter(kind="agenda_published", key__contains=f":meeting{meeting.pk}:").values_list(
            "recipient_id", flat=True
        )
    ) == [ref.user_id]
    assert Notification.objects.filter(kind="scheduled", case=case, recipient=case.requester).count() == 1
    # Publishing again does not send the same messages twice.
    agenda_publish(meeting=meeting, by=sam, expected_version=published.version)
    assert Notification.objects.filter(kind="agenda_published").count() == 1
    assert not Notification.objects.filter(recipient=rita).exists()


def test_cancelling_a_meeting_moves_its_cases_to_the_next_one(meeting: Meeting, next_one: Meeting, sam: Any) -> None:
    from meetings.services import meeting_cancel

    a = accepted_case(reference="A", grade=3)
    accepted_case(reference="B", grade=2)
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    meeting_cancel(meeting=meeting, by=sam, reason="Jour férié", expected_version=meeting.version)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and not meeting.items.exists()
    assert order(next_one) == ["A", "B"]
    note = Notification.objects.get(kind="postponed", case=a)
    assert f":to{next_one.pk}:" in note.key and note.context["reason"] == "Réunion annulée : Jour férié"
    assert note.context["meeting_date"] == french_long_date(timezone.localdate(next_one.starts_at))
    with pytest.raises(MeetingLocked, match="annulée"):
        agenda_build(meeting=meeting, by=sam)


def test_overflow_notice_without_next_meeting_announces_no_date(meeting: Meeting, sam: Any) -> None:
    for n in range(10):
        accepted_case(submitted_at=at(day(-1), 8, n))
    agenda_build(meeting=meeting, by=sam)
    note = Notification.objects.get(kind="postponed")
    assert "meeting_date" not in note.context  # no new date to announce
    assert note.context["reason"].startswith(f"Ordre du jour de la RCP du {french_long_date(day(weeks=1))}")
