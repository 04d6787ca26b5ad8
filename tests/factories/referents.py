from __future__ import annotations

import factory

from referents.models import Absence, Coverage, OrganCategory, Referent, ToxicityEvent
from tigre.accounts.models import Centre
from tigre.lib.specialties import Specialty

from .accounts import UserFactory


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    name = factory.Sequence(lambda n: f"Centre hospitalier n°{n}")
    city = "Nancy"
    kind = Centre.Kind.HOSPITAL


class OrganCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"categorie-{n}")
    label = factory.Sequence(lambda n: f"Catégorie {n}")
    specialty = Specialty.INTERNAL_MEDICINE


class ToxicityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToxicityEvent
        django_get_or_create = ("code",)

    category = factory.SubFactory(OrganCategoryFactory)
    code = factory.Sequence(lambda n: f"evenement-{n}")
    label = factory.Sequence(lambda n: f"Événement {n}")
    ctcae_term = "Other"


class ReferentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referent

    user = factory.SubFactory(UserFactory, roles=["referent"])
    specialty = Specialty.CARDIOLOGY
    centre = factory.SubFactory(CentreFactory)


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    referent = factory.SubFactory(ReferentFactory)
    category = factory.SubFactory(OrganCategoryFactory)
    rank = Coverage.Rank.PRIMARY


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    referent = factory.SubFactory(ReferentFactory)
    start = factory.Faker("date_this_year")
    end = factory.SelfAttribute("start")
    reason = "Congés"


def seed_taxonomy() -> None:
    """Put back the 13 organ categories and their events seeded by migration referents 0002, when a transactional
    test (which truncates every table) ran before on a reused database. Idempotent."""
    import importlib

    from django.apps import apps

    if OrganCategory.objects.count() >= 13 and ToxicityEvent.objects.exists():
        return
    importlib.import_module("referents.migrations.0002_seed_taxonomy").seed(apps, None)
