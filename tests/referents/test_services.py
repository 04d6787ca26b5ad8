"""Writes of the directory (services), beyond what the pages exercise."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from referents import services
from referents.forms import CentreForm
from referents.models import Absence, Coverage, OrganCategory
from tests.factories.referents import CentreFactory, CoverageFactory, ReferentFactory

pytestmark = pytest.mark.django_db


def _cat(code: str) -> OrganCategory:
    return OrganCategory.objects.get(code=code)


def test_coverages_set_adds_removes_and_changes_ranks() -> None:
    referent = ReferentFactory()
    CoverageFactory(referent=referent, category=_cat("heart"))
    CoverageFactory(referent=referent, category=_cat("lung"))

    services.coverages_set(referent=referent, primary=[_cat("lung"), _cat("eye")], backup=[_cat("heart")])

    assert set(referent.coverages.values_list("category__code", "rank")) == {
        ("lung", "primary"),
        ("eye", "primary"),
        ("heart", "backup"),
    }
    services.coverages_set(referent=referent, primary=[], backup=[])
    assert not Coverage.objects.exists()


def test_referent_update_rejects_unknown_fields() -> None:
    referent = ReferentFactory()
    with pytest.raises(TypeError, match="is_superuser"):
        services.referent_update(referent=referent, is_superuser=True)


def test_referent_create_refuses_a_person_already_in_the_directory() -> None:
    referent = ReferentFactory()
    with pytest.raises(ValidationError, match="déjà dans l'annuaire"):
        services.referent_create(
            email=referent.user.email.upper(),
            first_name="X",
            last_name="Y",
            title="dr",
            specialty="cardiology",
            centre=referent.centre,
        )


def test_absence_create_refuses_an_end_before_the_start() -> None:
    referent = ReferentFactory()
    with pytest.raises(ValidationError, match="La date de fin précède"):
        services.absence_create(
            referent=referent, start=datetime.date(2026, 12, 3), end=datetime.date(2026, 12, 1), reason=""
        )
    assert not Absence.objects.exists()


@pytest.mark.parametrize(
    ("finess", "ok", "stored"),
    [("540023264", True, "540023264"), ("2a0000 123", True, "2A0000123"), ("12345", False, None), ("", True, "")],
)
def test_centre_finess_is_checked_and_tidied(finess, ok, stored) -> None:
    form = CentreForm(data={"name": "Centre test", "city": "Metz", "kind": "hospital", "finess": finess})
    assert form.is_valid() is ok
    if ok:
        assert form.cleaned_data["finess"] == stored
    else:
        assert "9 caractères" in form.errors["finess"][0]


def test_two_centres_cannot_share_a_finess() -> None:
    CentreFactory(finess="540023264")
    form = CentreForm(data={"name": "Autre", "city": "Nancy", "kind": "hospital", "finess": "540023264"})
    assert not form.is_valid()
