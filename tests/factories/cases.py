from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, CaseStatus, Drug, ImmunotherapyLine, Patient, RequestReason, Sex, Toxicity

from .accounts import UserFactory
from .referents import CentreFactory, ToxicityEventFactory


class DrugFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drug
        django_get_or_create = ("name",)

    name = "pembrolizumab"
    target = Drug.Target.PD1
    atc_code = "L01FF02"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    birth_name = factory.Faker("last_name", locale="fr_FR")
    first_names = factory.Faker("first_name", locale="fr_FR")
    sex = Sex.FEMALE
    birth_date = dt.date(1958, 4, 12)
    treating_centre = factory.SubFactory(CentreFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    """A draft by default; pass status=... and submitted_at=... for later states."""

    class Meta:
        model = Case

    patient = factory.SubFactory(PatientFactory)
    requester = factory.SubFactory(UserFactory, roles=["clinician"])
    requester_centre = factory.SelfAttribute("patient.treating_centre")
    status = CaseStatus.DRAFT
    primary_site = "C34"
    primary_site_label = "Poumon"
    histology = "Adénocarcinome"
    stage = "IV"
    performance_status = 1
    reason = RequestReason.COMPLEX_MANAGEMENT
    question = "Faut-il reprendre le pembrolizumab après résolution de la colite ?"
    patient_informed = True


class SubmittedCaseFactory(CaseFactory):
    status = CaseStatus.SUBMITTED
    reference = factory.Sequence(lambda n: f"TIGRE-2026-{n + 1:04d}")
    submitted_at = factory.LazyFunction(timezone.now)


class ImmunotherapyLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImmunotherapyLine
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    regimen = ImmunotherapyLine.Regimen.MONO
    setting = ImmunotherapyLine.Setting.METASTATIC
    start_date = dt.date(2026, 1, 5)
    cycles = 6

    @factory.post_generation
    def drugs(self, create: bool, extracted: list[Drug] | None, **kwargs: object) -> None:
        if create:
            self.drugs.add(*(extracted or [DrugFactory()]))


class ToxicityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Toxicity

    case = factory.SubFactory(CaseFactory)
    event = factory.SubFactory(ToxicityEventFactory)
    grade = 2
    onset_date = dt.date(2026, 3, 1)
    description = "Diarrhées 6 selles par jour"
