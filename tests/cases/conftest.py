from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories.cases import (
    CaseFactory,
    DrugFactory,
    ImmunotherapyLineFactory,
    PatientFactory,
    ToxicityFactory,
)
from tests.factories.referents import OrganCategoryFactory, ToxicityEventFactory


@pytest.fixture
def colitis(db: Any) -> Any:
    gi = OrganCategoryFactory(code="gastrointestinal", label="Digestif", specialty="gastroenterology")
    return ToxicityEventFactory(category=gi, code="colitis", label="Colite")


@pytest.fixture
def myocarditis(db: Any) -> Any:
    heart = OrganCategoryFactory(code="heart", label="Cœur et vaisseaux", specialty="cardiology")
    return ToxicityEventFactory(category=heart, code="myocarditis", label="Myocardite", urgent_at_any_grade=True)


@pytest.fixture
def complete_draft(alice: Any, colitis: Any) -> Any:
    """A draft by alice with everything submission needs."""
    patient = PatientFactory(
        birth_name="Durand", first_names="Jeanne", birth_date=dt.date(1958, 4, 12), treating_centre=alice.centre
    )
    case = CaseFactory(patient=patient, requester=alice, requester_centre=alice.centre)
    ImmunotherapyLineFactory(case=case, start_date=dt.date(2026, 1, 5), drugs=[DrugFactory(name="pembrolizumab")])
    ToxicityFactory(case=case, event=colitis, grade=2, onset_date=dt.date(2026, 3, 1))
    return case
