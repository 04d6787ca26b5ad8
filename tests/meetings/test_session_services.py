"""Session services: attendance, avis, validation and the lock of a validated meeting."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from cases.models import Avis, CaseStatus, StatusChange
from cases.pharmacovigilance.models import PvFollowUp, PvStatus
from meetings.lock import MeetingError, MeetingLocked
from meetings.messages import Kind
from meetings.models import AgendaItem, Meeting, Participant
from meetings.session import services
from tests.factories.accounts import UserFactory
from tests.factories.cases import ToxicityFactory
from tests.factories.session import ParticipantFactory, make_session
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db

ANSWER = {"answer": "Arrêt définitif de l'immunothérapie.", "ici_decision": Avis.IciDecision.STOP}


def test_attendance_set_records_presence_and_absence(cora):
    s = make_session(coordinator=cora, present=None)
    p = s.cardio_participant
    services.attendance_set(meeting=s.meeting, participant=p, present=True, by=cora)
    assert Participant.objects.get(pk=p.pk).present is True
    services.attendance_set(meeting=s.meeting, participant=p, present=False, by=cora)
    assert Participant.objects.get(pk=p.pk).present is False


def test_attendance_of_another_meetings_participant_is_refused(cora):
    s = make_session(coordinator=cora)
    other = ParticipantFactory()
    with pytest.raises(MeetingError, match="n'appartient pas"):
        services.attendance_set(meeting=s.meeting, participant=other, present=True, by=cora)


def test_participant_add_marks_an_uninvited_person_present(cora):
    s = make_session(coordinator=cora)
    guest = UserFactory(specialty="hepatology", roles=["clinician"])
    p = services.participant_add(meeting=s.meeting, user=guest, by=cora)
    assert (p.invited, p.present, p.role) == (False, True, Participant.Role.OTHER)
    # Adding again keeps one row.
    services.participant_add(meeting=s.meeting, user=guest, by=cora)
    assert Participant.objects.filter(meeting=s.meeting, user=guest).count() == 1


def test_avis_save_writes_a_draft_and_moves_the_case_to_discussed(cora):
    s = make_session(coordinator=cora)
    item = s.items[0]
    avis = services.avis_save(
        item=item,
        by=cora,
        data={**ANSWER, "steroids": True, "steroids_dose": "prednisone 1 mg/kg/j", "declare_pv": True},
        contributors=[s.cardiologist],
    )
    assert avis.state == Avis.State.DRAFT
    assert list(avis.contributors.all()) == [s.cardiologist]
    item.refresh_from_db()
    item.case.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.DISCUSSED
    assert item.case.status == CaseStatus.DISCUSSED
    change = StatusChange.objects.filter(case=item.case).last()
    assert (change.from_status, change.to_status, change.by) == (CaseStatus.SCHEDULED, CaseStatus.DISCUSSED, cora)
    # Saving again rewrites the same avis, no second transition.
    services.avis_save(item=item, by=cora, data={**ANSWER, "free_text": "Revoir à 3 mois"})
    assert Avis.objects.filter(case=item.case).count() == 1
    assert Avis.objects.get(case=item.case).free_text == "Revoir à 3 mois"
    assert StatusChange.objects.filter(case=item.case, to_status=CaseStatus.DISCUSSED).count() == 1


def test_avis_contributors_must_be_present(cora):
    s = make_session(coordinator=cora)
    absent = UserFactory(last_name="Absente")
    ParticipantFactory(meeting=s.meeting, user=absent, present=False)
    with pytest.raises(MeetingError, match="présents"):
        services.avis_save(item=s.items[0], by=cora, data=ANSWER, contributors=[absent])
    assert not Avis.objects.exists()


def test_avis_without_answer_is_refused(cora):
    s = make_session(coordinator=cora)
    with pytest.raises(MeetingError, match="obligatoire"):
        services.avis_save(item=s.items[0], by=cora, data={"answer": "  "})
    assert not Avis.objects.exists()


def _discuss_all(s, by):
    for item in s.items:
        services.avis_save(item=item, by=by, data=ANSWER, contributors=[s.cardiologist])


def test_validation_refused_while_an_item_has_no_avis_nor_postponement(cora):
    s = make_session(coordinator=cora, cases=3)
    services.avis_save(item=s.items[0], by=cora, data=ANSWER)
    with pytest.raises(MeetingError) as exc:
        services.meeting_validate(meeting=s.meeting, by=cora)
    message = " ".join(exc.value.messages)
    assert "ni avis ni report" in message
    assert s.items[1].case.reference in message and s.items[2].case.reference in message
    assert s.items[0].case.reference not in message
    s.meeting.refresh_from_db()
    assert s.meeting.status != Meeting.Status.VALIDATED


def test_validation_refused_without_quorum(cora):
    s = make_session(coordinator=cora)
    _discuss_all(s, cora)
    Participant.objects.filter(user=s.cardiologist).update(present=False)
    with pytest.raises(MeetingError, match="quorum"):
        services.meeting_validate(meeting=s.meeting, by=cora)


def test_only_coordinators_validate(cora, sam, rita):
    s = make_session(coordinator=cora)
    _discuss_all(s, cora)
    for user in (sam, rita):
        with pytest.raises(PermissionDenied):
            services.meeting_validate(meeting=s.meeting, by=user)
    s.meeting.refresh_from_db()
    assert s.meeting.status != Meeting.Status.VALIDATED


def test_validation_locks_validates_avis_moves_cases_and_notifies(cora):
    s = make_session(coordinator=cora, cases=2)
    ToxicityFactory(case=s.items[0].case, event__category=s.heart, grade=3)
    services.avis_save(item=s.items[0], by=cora, data={**ANSWER, "declare_pv": True})
    services.avis_save(item=s.items[1], by=cora, data=ANSWER)

    meeting = services.meeting_validate(meeting=s.meeting, by=cora)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.VALIDATED
    assert meeting.validated_by == cora and meeting.validated_at is not None
    for avis in Avis.objects.filter(agenda_item__meeting=meeting):
        assert avis.state == Avis.State.VALIDATED
        assert avis.validated_by == cora and avis.validated_at == meeting.validated_at
        assert avis.case.status == CaseStatus.AVIS_VALIDATED
        assert StatusChange.objects.filter(
            case=avis.case, from_status=CaseStatus.DISCUSSED, to_status=CaseStatus.AVIS_VALIDATED, by=cora
        ).exists()
    notes = Notification.objects.filter(kind=Kind.AVIS_AVAILABLE)
    assert sorted((n.recipient_id, n.about_id) for n in notes) == sorted(
        (i.case.requester_id, i.case_id) for i in s.items
    )
    # Pharmacovigilance: every toxicity followed, the flagged case's two toxicities "to declare".
    flagged = PvFollowUp.objects.filter(toxicity__case=s.items[0].case)
    assert flagged.count() == 2 and {f.status for f in flagged} == {PvStatus.TO_DECLARE}
    assert PvFollowUp.objects.get(toxicity__case=s.items[1].case).status == PvStatus.TO_ASSESS


def test_postponed_items_do_not_block_validation(cora):
    s = make_session(coordinator=cora, cases=2)
    services.avis_save(item=s.items[0], by=cora, data=ANSWER)
    AgendaItem.objects.filter(pk=s.items[1].pk).update(outcome=AgendaItem.Outcome.POSTPONED, postponed_reason="x")
    services.meeting_validate(meeting=s.meeting, by=cora)
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.VALIDATED
    assert Notification.objects.filter(kind=Kind.AVIS_AVAILABLE).count() == 1


@pytest.fixture
def validated(cora):
    s = make_session(coordinator=cora, cases=2)
    _discuss_all(s, cora)
    services.meeting_validate(meeting=s.meeting, by=cora)
    s.meeting.refresh_from_db()
    return s


def _snapshot(meeting):
    return (
        list(Participant.objects.filter(meeting=meeting).order_by("pk").values_list("pk", "present", "invited")),
        list(AgendaItem.objects.filter(meeting=meeting).order_by("pk").values_list("pk", "outcome", "position")),
        list(
            Avis.objects.filter(agenda_item__meeting=meeting)
            .order_by("pk")
            .values_list("pk", "answer", "state", "updated_at")
        ),
        Meeting.objects.filter(pk=meeting.pk).values_list("status", "version").get(),
    )


def test_a_validated_meeting_refuses_every_session_edit(validated, cora):
    s = validated
    before = _snapshot(s.meeting)
    guest = UserFactory()
    attempts = [
        lambda: services.attendance_set(meeting=s.meeting, participant=s.cardio_participant, present=False, by=cora),
        lambda: services.participant_add(meeting=s.meeting, user=guest, by=cora),
        lambda: services.avis_save(item=s.items[0], by=cora, data={"answer": "Autre chose"}),
        lambda: services.item_postpone(item=s.items[1], reason="trop tard", by=cora),
        lambda: services.meeting_validate(meeting=s.meeting, by=cora),
    ]
    for attempt in attempts:
        with pytest.raises(MeetingLocked, match="validée"):
            attempt()
    assert _snapshot(s.meeting) == before


def test_a_validated_meeting_refuses_agenda_edits(validated, cora):
    from meetings.agenda.services import agenda_add_case, agenda_item_remove
    from tests.factories.cases import SubmittedCaseFactory

    s = validated
    before = _snapshot(s.meeting)
    late = SubmittedCaseFactory(status=CaseStatus.ACCEPTED)
    with pytest.raises(MeetingLocked, match="validée"):
        agenda_add_case(meeting=s.meeting, case=late, by=cora)
    with pytest.raises(MeetingLocked, match="validée"):
        agenda_item_remove(
            meeting=s.meeting, item_id=s.items[0].pk, by=cora, expected_version=s.meeting.version, reason="x"
        )
    assert _snapshot(s.meeting) == before


def test_attendance_before_the_start_is_refused_and_from_the_start_accepted(cora):
    s = make_session(coordinator=cora, present=None, started=False)
    with time_machine.travel(s.meeting.starts_at - dt.timedelta(minutes=1), tick=False):
        with pytest.raises(MeetingError, match="n'a pas encore commencé"):
            services.attendance_set(meeting=s.meeting, participant=s.cardio_participant, present=True, by=cora)
        with pytest.raises(MeetingError, match="n'a pas encore commencé"):
            services.participant_add(meeting=s.meeting, user=UserFactory(), by=cora)
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.PLANNED
    assert Participant.objects.get(pk=s.cardio_participant.pk).present is None
    with time_machine.travel(s.meeting.starts_at, tick=False):
        services.attendance_set(meeting=s.meeting, participant=s.cardio_participant, present=True, by=cora)
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.HELD
    assert Participant.objects.get(pk=s.cardio_participant.pk).present is True


def test_avis_and_validation_before_the_start_are_refused_then_accepted(cora):
    s = make_session(coordinator=cora, cases=1, started=False)
    item = s.items[0]
    with time_machine.travel(s.meeting.starts_at - dt.timedelta(hours=19), tick=False):  # the evening before
        with pytest.raises(MeetingError, match="n'a pas encore commencé"):
            services.avis_save(item=item, by=cora, data=ANSWER)
        with pytest.raises(MeetingError, match="n'a pas encore commencé"):
            services.meeting_validate(meeting=s.meeting, by=cora)
    assert not Avis.objects.filter(case=item.case).exists()
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.PLANNED and s.meeting.validated_at is None
    with time_machine.travel(s.meeting.starts_at + dt.timedelta(minutes=40), tick=False):
        services.avis_save(item=item, by=cora, data=ANSWER)
        services.meeting_validate(meeting=s.meeting, by=cora)
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.VALIDATED
    assert s.meeting.validated_at == s.meeting.starts_at + dt.timedelta(minutes=40)


def test_avis_without_a_present_organ_referent_needs_a_reason(cora):
    s = make_session(coordinator=cora, cases=1)
    item = s.items[0]
    services.attendance_set(meeting=s.meeting, participant=s.cardio_participant, present=False, by=cora)
    with pytest.raises(MeetingError, match="Aucun référent présent pour : Cœur et vaisseaux"):
        services.avis_save(item=item, by=cora, data=ANSWER)
    assert not Avis.objects.filter(case=item.case).exists()
    avis = services.avis_save(
        item=item, by=cora, data={**ANSWER, "organ_exception_reason": "  Cardiologue joint par téléphone  "}
    )
    assert avis.organ_exception_reason == "Cardiologue joint par téléphone"


def test_validation_refused_when_the_organ_referent_left_after_the_avis(cora):
    s = make_session(coordinator=cora, cases=1)
    for specialty in ("dermatology", "oncology"):
        ParticipantFactory(meeting=s.meeting, user=UserFactory(specialty=specialty), present=True)
    services.avis_save(item=s.items[0], by=cora, data=ANSWER)
    services.attendance_set(meeting=s.meeting, participant=s.cardio_participant, present=False, by=cora)
    with pytest.raises(MeetingError, match="aucun référent de l'organe"):
        services.meeting_validate(meeting=s.meeting, by=cora)
    s.meeting.refresh_from_db()
    assert s.meeting.status != Meeting.Status.VALIDATED


def test_an_exception_given_while_the_referent_is_present_is_not_kept(cora):
    s = make_session(coordinator=cora, cases=1)
    avis = services.avis_save(item=s.items[0], by=cora, data={**ANSWER, "organ_exception_reason": "sans objet"})
    assert avis.organ_exception_reason == ""


def test_the_attendance_printed_is_the_one_recorded_at_validation(cora):
    s = make_session(coordinator=cora, cases=1)
    for specialty in ("dermatology", "oncology"):
        ParticipantFactory(meeting=s.meeting, user=UserFactory(specialty=specialty), present=True)
    services.avis_save(item=s.items[0], by=cora, data=ANSWER)
    services.meeting_validate(meeting=s.meeting, by=cora)
    s.meeting.refresh_from_db()
    record = s.meeting.attendance_record
    names = {p["name"]: p["present"] for p in record["participants"]}
    assert names[s.cardiologist.display_name] is True
    assert record["quorum"]["ok"] is True
    assert record["items"][str(s.items[0].pk)] == {"covered": ["Cœur et vaisseaux"], "missing": []}
    # Later changes to the accounts do not rewrite what was recorded.
    s.cardiologist.last_name = "Renommé"
    s.cardiologist.save()
    s.meeting.refresh_from_db()
    assert "Renommé" not in str(s.meeting.attendance_record)
