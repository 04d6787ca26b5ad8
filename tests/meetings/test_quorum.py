"""The quorum (docs/domain.md#quorum): 3 physicians of different specialties; an organ referent per case."""

from __future__ import annotations

import pytest

from meetings.models import Participant
from meetings.session.selectors import quorum_status
from tests.factories.accounts import UserFactory
from tests.factories.referents import CoverageFactory, ReferentFactory
from tests.factories.session import ParticipantFactory, make_session, scheduled_item

pytestmark = pytest.mark.django_db


def test_three_present_physicians_of_different_specialties_make_the_quorum(cora):
    s = make_session(coordinator=cora)  # oncology, cardiology, neurology present
    q = quorum_status(meeting=s.meeting)
    assert q.ok
    assert q.specialties == sorted(["Oncologie médicale", "Cardiologie", "Neurologie"])


def test_same_specialty_twice_does_not_count_twice(cora):
    s = make_session(coordinator=cora)
    Participant.objects.filter(user__last_name="Neuro").update(present=False)
    ParticipantFactory(meeting=s.meeting, user=UserFactory(specialty="oncology"), present=True)
    q = quorum_status(meeting=s.meeting)
    assert not q.ok
    assert len(q.specialties) == 2 and q.missing_count == 1


def test_absent_or_unrecorded_people_and_non_physicians_do_not_count(cora, sam):
    s = make_session(coordinator=cora, present=None)
    ParticipantFactory(meeting=s.meeting, user=sam, role=Participant.Role.OTHER, present=True)  # no specialty
    q = quorum_status(meeting=s.meeting)
    assert not q.ok and q.specialties == []
    Participant.objects.filter(meeting=s.meeting).update(present=True)
    assert quorum_status(meeting=s.meeting).ok


def test_case_flagged_when_no_referent_of_its_organ_is_present(cora):
    s = make_session(coordinator=cora, cases=1)
    skin_item = scheduled_item(s.meeting, category=s.skin)
    q = quorum_status(meeting=s.meeting)
    heart_cover = q.items[s.items[0].pk]
    assert not heart_cover.flagged and heart_cover.covered == [s.heart]
    skin_cover = q.items[skin_item.pk]
    assert skin_cover.flagged and skin_cover.missing == [s.skin]
    assert q.flagged_items == [skin_item.pk]

    # The cardiologist leaves: the heart case is flagged too.
    Participant.objects.filter(user=s.cardiologist).update(present=False)
    assert quorum_status(meeting=s.meeting).items[s.items[0].pk].flagged

    # A dermatology referent joins: the skin case is no longer flagged.
    derm = ReferentFactory(user=UserFactory(specialty="dermatology", roles=["referent"]), specialty="dermatology")
    CoverageFactory(referent=derm, category=s.skin)
    ParticipantFactory(meeting=s.meeting, user=derm.user, present=True)
    assert not quorum_status(meeting=s.meeting).items[skin_item.pk].flagged


def test_a_case_with_two_organs_and_one_referent_is_partial_not_flagged(cora):
    from tests.factories.cases import ToxicityFactory

    s = make_session(coordinator=cora, cases=1)
    ToxicityFactory(case=s.items[0].case, event__category=s.skin)
    cover = quorum_status(meeting=s.meeting).items[s.items[0].pk]
    assert not cover.flagged and cover.partial
    assert cover.covered == [s.heart] and cover.missing == [s.skin]


def test_an_inactive_referent_does_not_cover(cora):
    s = make_session(coordinator=cora, cases=1)
    s.cardiologist.referent.is_active = False
    s.cardiologist.referent.save(update_fields=["is_active"])
    assert quorum_status(meeting=s.meeting).items[s.items[0].pk].flagged
