"""Factories for the pharmacovigilance follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from cases.models import Avis, CaseStatus, Drug, ImmunotherapyLine
from cases.pharmacovigilance.models import PvFollowUp, PvStatus

from .accounts import UserFactory
from .cases import DrugFactory, ImmunotherapyLineFactory, SubmittedCaseFactory, ToxicityFactory
from .referents import CentreFactory, OrganCategoryFactory, ToxicityEventFactory
from .session import AvisFactory


class PvFollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PvFollowUp

    toxicity = factory.SubFactory(ToxicityFactory)
    status = PvStatus.TO_ASSESS

    @classmethod
    def _create(cls, model_class: type[PvFollowUp], *args: object, **kwargs: object) -> PvFollowUp:
        # status_changed_at is auto_now_add: set it after creation when a test passes one.
        changed_at = kwargs.pop("status_changed_at", None)
        obj = super()._create(model_class, *args, **kwargs)
        if changed_at is not None:
            model_class.objects.filter(pk=obj.pk).update(status_changed_at=changed_at)
            obj.status_changed_at = changed_at
        return obj


class PvAvisFactory(AvisFactory):
    """A validated avis of a meeting, for pv_from_avis."""

    case = factory.SubFactory(SubmittedCaseFactory, status=CaseStatus.AVIS_VALIDATED)
    state = Avis.State.VALIDATED
    answer = "Colite immuno-induite de grade 3 : arrêt définitif du pembrolizumab."
    declare_pv = True
    validated_at = factory.LazyFunction(timezone.now)


def full_case(**case_kwargs: Any) -> Any:
    """A case with every field a declaration sheet reads: patient, requester with RPPS, two ICIs, one toxicity."""
    centre = CentreFactory(name="CHU de Reims", city="Reims", kind="chu")
    requester = UserFactory(
        email="dr.aubert@chu-reims.test",
        first_name="Alice",
        last_name="Aubert",
        title="dr",
        specialty="oncology",
        centre=centre,
        phone="03 26 00 00 00",
        rpps="10001234567",
        roles=["clinician"],
    )
    case = SubmittedCaseFactory(
        requester=requester,
        requester_centre=centre,
        patient__birth_name="Lefèvre-Dupont",
        patient__first_names="Élodie Marie",
        patient__sex="F",
        patient__birth_date=dt.date(1958, 4, 12),
        patient__weight_kg=Decimal("61.5"),
        patient__height_cm=164,
        patient__treating_centre=centre,
        history="Hypothyroïdie ancienne",
        autoimmune_history="Psoriasis",
        comorbidities="HTA",
        primary_site="C43",
        primary_site_label="Mélanome cutané",
        histology="Mélanome",
        stage="IV",
        **case_kwargs,
    )
    nivo = DrugFactory(name="nivolumab", target=Drug.Target.PD1, atc_code="L01FF01")
    ipi = DrugFactory(name="ipilimumab", target=Drug.Target.CTLA4, atc_code="L01FX04")
    ImmunotherapyLineFactory(
        case=case,
        drugs=[nivo, ipi],
        regimen=ImmunotherapyLine.Regimen.ICI_ICI,
        start_date=dt.date(2026, 1, 5),
        last_dose_date=dt.date(2026, 2, 16),
        status=ImmunotherapyLine.LineStatus.STOPPED,
        dose="nivolumab 1 mg/kg + ipilimumab 3 mg/kg toutes les 3 semaines",
    )
    category = OrganCategoryFactory(code="pv-test-digestive", label="Digestive")
    event = ToxicityEventFactory(code="pv-test-colitis", label="Colite", ctcae_term="Colitis", category=category)
    toxicity = ToxicityFactory(
        case=case,
        event=event,
        grade=3,
        onset_date=dt.date(2026, 3, 1),
        description="Diarrhées 8 selles/jour, rectorragies",
        management_notes="Méthylprednisolone 1 mg/kg",
    )
    return case, toxicity
