"""The seeded ICI catalogue: each drug with its WHO ATC code (2024), checked against published lists."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from cases.models import Drug

pytestmark = pytest.mark.django_db

# WHO ATC 2024 (L01FF: PD-1/PD-L1 inhibitors; L01FX: other monoclonal antibodies; L01FY: combinations).
EXPECTED = {
    "nivolumab": "L01FF01",
    "pembrolizumab": "L01FF02",
    "durvalumab": "L01FF03",
    "avelumab": "L01FF04",
    "atezolizumab": "L01FF05",
    "cemiplimab": "L01FF06",
    "dostarlimab": "L01FF07",
    "tislelizumab": "L01FF09",
    "retifanlimab": "L01FF10",
    "toripalimab": "L01FF13",
    "ipilimumab": "L01FX04",
    "tremelimumab": "L01FX20",
    "relatlimab": "L01FY02",  # nivolumab and relatlimab, the only form it is given in
}


def test_the_catalogue_carries_the_who_atc_codes() -> None:
    seeded = dict(Drug.objects.filter(name__in=EXPECTED).values_list("name", "atc_code"))
    assert seeded == EXPECTED
    assert all(Drug.objects.filter(name__in=EXPECTED).values_list("is_biologic", flat=True))


def test_a_database_seeded_with_the_former_relatlimab_code_is_corrected() -> None:
    Drug.objects.filter(name="relatlimab").update(atc_code="L01XY03")
    Drug.objects.filter(name="ipilimumab").update(atc_code="L01FX99")  # changed by hand: left alone
    importlib.import_module("cases.migrations.0005_relatlimab_atc").correct(apps, None)
    assert Drug.objects.get(name="relatlimab").atc_code == "L01FY02"
    assert Drug.objects.get(name="ipilimumab").atc_code == "L01FX99"
