from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cases.models import CaseStatus, Urgency
from referents.models import Coverage
from tests.factories.cases import PatientFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import CoverageFactory, OrganCategoryFactory, ReferentFactory, ToxicityEventFactory

PARIS = ZoneInfo("Europe/Paris")
# Saturday 28 November 2026, 10:00 in Paris; the next meeting is Wednesday 2 December 17:00.
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=PARIS)


@pytest.fixture
def heart(db: Any) -> Any:
    return OrganCategoryFactory(code="heart", label="Cœur et vaisseaux", specialty="cardiology")


@pytest.fixture
def myocarditis(heart: Any) -> Any:
    return ToxicityEventFactory(category=heart, code="myocarditis", label="Myocardite", urgent_at_any_grade=True)


@pytest.fixture
def meeting(db: Any, cora: Any) -> Any:
    m = MeetingFactory(starts_at=dt.datetime(2026, 12, 2, 17, 0, tzinfo=PARIS))
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
