"""The world of the urgent TAG track tests: a cardiology category, its referents, a meeting and an urgent request.

Imported by name in the test modules that use it (their own conftest may define other fixtures of the same name)."""

from __future__ import annotations

from typing import Any

import pytest

from cases.models import CaseStatus, Urgency
from referents.models import Coverage
from tests.dates import at, day, meeting_start
from tests.factories.cases import PatientFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import CoverageFactory, OrganCategoryFactory, ReferentFactory, ToxicityEventFactory

# The Saturday before BASE_WEDNESDAY, 10:00 in Paris (what the tests freeze time at); the next meeting is that
# Wednesday 17:00. The worker tests (real clock, another process) see the same meeting still ahead.
NOW = at(day(-4), 10)


@pytest.fixture
def heart(db: Any) -> Any:
    return OrganCategoryFactory(code="heart", label="Cœur et vaisseaux", specialty="cardiology")


@pytest.fixture
def myocarditis(heart: Any) -> Any:
    return ToxicityEventFactory(category=heart, code="myocarditis", label="Myocardite", urgent_at_any_grade=True)


@pytest.fixture
def meeting(db: Any, cora: Any) -> Any:
    m = MeetingFactory(starts_at=meeting_start())
    m.coordinators.add(cora)
    return m


@pytest.fixture
def cardio_primary(heart: Any) -> Any:
    """A cardiologist who takes urgent requests (primary)."""
    ref = ReferentFactory(user__email="carla@chu-reims.test", user__first_name="Carla", user__last_name="Cardin")
    CoverageFactory(referent=ref, category=heart, rank=Coverage.Rank.PRIMARY)
    return ref


@pytest.fixture
def cardio_no_urgent(heart: Any) -> Any:
    ref = ReferentFactory(
        user__email="noe@chu-reims.test", user__first_name="Noé", user__last_name="Nolan", takes_urgent=False
    )
    CoverageFactory(referent=ref, category=heart, rank=Coverage.Rank.PRIMARY)
    return ref


@pytest.fixture
def cardio_backup(heart: Any) -> Any:
    ref = ReferentFactory(user__email="basile@chu-reims.test", user__first_name="Basile", user__last_name="Barre")
    CoverageFactory(referent=ref, category=heart, rank=Coverage.Rank.BACKUP)
    return ref


@pytest.fixture
def urgent_case(alice: Any, myocarditis: Any) -> Any:
    """An urgent submitted request by alice: grade 4 myocarditis. Patient 'Durand Jeanne'."""
    patient = PatientFactory(birth_name="Durand", first_names="Jeanne", treating_centre=alice.centre)
    case = SubmittedCaseFactory(
        patient=patient,
        requester=alice,
        requester_centre=alice.centre,
        urgency=Urgency.URGENT,
        urgency_reason="Myocardite grade 4",
        highest_grade=4,
        status=CaseStatus.SUBMITTED,
    )
    ToxicityFactory(case=case, event=myocarditis, grade=4)
    return case
