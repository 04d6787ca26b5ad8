"""The seeded taxonomy (data migration 0002): codes are a contract other parts rely on."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps

from referents.models import OrganCategory, ToxicityEvent

pytestmark = pytest.mark.django_db

CATEGORY_CODES = [
    "skin",
    "gastrointestinal",
    "liver",
    "pancreas",
    "endocrine",
    "lung",
    "heart",
    "kidney",
    "nervous",
    "musculoskeletal",
    "blood",
    "eye",
    "other",
]
REQUIRED_EVENTS = {
    "colitis",
    "diarrhoea",
    "hepatitis",
    "pneumonitis",
    "myocarditis",
    "pericarditis",
    "maculopapular-rash",
    "pruritus",
    "bullous-dermatitis",
    "sjs-ten",
    "hypothyroidism",
    "hyperthyroidism",
    "hypophysitis",
    "adrenal-insufficiency",
    "diabetes-ketoacidosis",
    "pancreatitis",
    "nephritis",
    "myasthenia-gravis",
    "guillain-barre",
    "encephalitis",
    "meningitis",
    "peripheral-neuropathy",
    "arthritis",
    "myositis",
    "haemolytic-anaemia",
    "immune-thrombocytopenia",
    "uveitis",
    "sarcoid-like",
}
URGENT_EVENTS = {
    "myocarditis",
    "myasthenia-gravis",
    "guillain-barre",
    "encephalitis",
    "myositis",
    "diabetes-ketoacidosis",
}


def test_the_thirteen_categories_are_seeded_in_order_with_their_specialty() -> None:
    categories = list(OrganCategory.objects.all())
    assert [c.code for c in categories] == CATEGORY_CODES
    by_code = {c.code: c for c in categories}
    assert by_code["heart"].label == "Cœur et vaisseaux"
    assert by_code["heart"].specialty == "cardiology"
    assert by_code["eye"].specialty == "ophthalmology"
    assert by_code["other"].label == "Autre / systémique"
    assert by_code["other"].specialty == "internal_medicine"


def test_about_forty_events_with_the_agreed_codes() -> None:
    codes = set(ToxicityEvent.objects.values_list("code", flat=True))
    assert codes >= REQUIRED_EVENTS
    assert 38 <= len(codes) <= 50
    assert not ToxicityEvent.objects.filter(ctcae_term="").exists()
    assert ToxicityEvent.objects.get(code="myocarditis").category.code == "heart"
    assert ToxicityEvent.objects.get(code="diabetes-ketoacidosis").category.code == "endocrine"
    # Every category has at least one event.
    assert set(ToxicityEvent.objects.values_list("category__code", flat=True)) == set(CATEGORY_CODES)


def test_urgent_at_any_grade_exactly_for_the_domain_list() -> None:
    urgent = set(ToxicityEvent.objects.filter(urgent_at_any_grade=True).values_list("code", flat=True))
    assert urgent == URGENT_EVENTS


def test_stop_at_any_grade_for_cardiac_neurological_and_haematological_events() -> None:
    stop = set(ToxicityEvent.objects.filter(stop_at_any_grade=True).values_list("code", flat=True))
    assert {"myocarditis", "myasthenia-gravis", "guillain-barre", "encephalitis"} <= stop
    assert {"aplastic-anaemia", "hlh"} <= stop
    assert not {"maculopapular-rash", "hypothyroidism", "colitis", "arthritis"} & stop
    assert set(ToxicityEvent.objects.filter(stop_at_any_grade=True).values_list("category__code", flat=True)) <= {
        "heart",
        "nervous",
        "blood",
        "skin",
    }


def test_the_seed_can_be_reversed_and_replayed() -> None:
    migration = importlib.import_module("referents.migrations.0002_seed_taxonomy")
    migration.unseed(global_apps, None)
    assert not OrganCategory.objects.filter(code__in=CATEGORY_CODES).exists()
    assert not ToxicityEvent.objects.exists()
    migration.seed(global_apps, None)
    migration.seed(global_apps, None)  # idempotent
    assert OrganCategory.objects.count() == 13
    assert set(ToxicityEvent.objects.values_list("code", flat=True)) >= REQUIRED_EVENTS
