"""A validated avis with everything the exports read: a qualified identity, a requester and GP with MSSanté
addresses, two ICIs with ATC codes, a grade 3 colitis with its CTCAE term, an attendance sheet with a quorum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Avis, CaseStatus, Drug, ImmunotherapyLine, Patient
from meetings.models import Meeting, Participant
from tests.factories.accounts import UserFactory
from tests.factories.cases import DrugFactory, ImmunotherapyLineFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import (
    CentreFactory,
    CoverageFactory,
    OrganCategoryFactory,
    ReferentFactory,
    ToxicityEventFactory,
)
from tests.factories.session import AvisFactory, ParticipantFactory
from tigre.lib.validators import ins_key

NIR = "2580454123456"  # invented: a woman born in April 1958
INS = f"{NIR}{ins_key(NIR):02d}"


@dataclass
class Board:
    meeting: Meeting
    case: Any
    avis: Avis
    coordinator: Any
    requester: Any
    referent: Any


@pytest.fixture
def board(alice: Any, sam: Any, victor: Any) -> Board:
    chu = CentreFactory(name="CHRU de Nancy", city="Nancy", kind="chu", finess="540002078")
    reims = alice.centre
    reims.finess = "510000029"
    reims.save(update_fields=["finess"])
    alice.rpps = "10001234567"
    alice.mssante_address = "alice.aubert@chu-reims.mssante.fr"
    alice.phone = "03 26 78 78 78"
    alice.save(update_fields=["rpps", "mssante_address", "phone"])
    coordinator = UserFactory(
        email="pr.vasseur@chru-nancy.test",
        first_name="Paul",
        last_name="Vasseur",
        title="pr",
        specialty="oncology",
        centre=chu,
        rpps="10100000025",
        roles=["coordinator"],
    )
    digestive = OrganCategoryFactory(code="export-digestif", label="Appareil digestif", specialty="gastroenterology")
    gastro = UserFactory(
        first_name="Lucie", last_name="Garnier", specialty="gastroenterology", centre=chu, rpps="10100000033"
    )
    referent = ReferentFactory(user=gastro, specialty="gastroenterology", centre=chu)
    CoverageFactory(referent=referent, category=digestive)
    cardio = UserFactory(first_name="Nicolas", last_name="Hoffmann", specialty="cardiology", centre=chu)  # no RPPS

    meeting = MeetingFactory(status=Meeting.Status.VALIDATED)
    meeting.coordinators.add(coordinator)
    for user, role in (
        (coordinator, Participant.Role.COORDINATOR),
        (gastro, Participant.Role.REFERENT),
        (cardio, Participant.Role.REFERENT),
        (victor, Participant.Role.PHARMACOVIGILANCE),
        (sam, Participant.Role.OTHER),
    ):
        ParticipantFactory(meeting=meeting, user=user, role=role, present=True)

    case = SubmittedCaseFactory(
        requester=alice,
        requester_centre=reims,
        status=CaseStatus.AVIS_VALIDATED,
        patient__birth_name="Lefèvre-Dupont",
        patient__used_name="Martin",
        patient__first_names="Élodie Marie",
        patient__sex="F",
        patient__birth_date=dt.date(1958, 4, 12),
        patient__ins=INS,
        patient__ins_status=Patient.InsStatus.QUALIFIED,
        patient__weight_kg=Decimal("61.5"),
        patient__height_cm=164,
        patient__treating_centre=reims,
        patient__gp_name="Dr Jean Moreau",
        patient__gp_mssante="jean.moreau@medecin.mssante.fr",
        primary_site="C43",
        primary_site_label="Mélanome cutané",
        histology="Mélanome nodulaire",
        stage="pT3b N1a M0",
        diagnosis_date=dt.date(2025, 9, 1),
        performance_status=1,
        history="Hypothyroïdie ancienne <traitée> & stable",
        autoimmune_history="Psoriasis",
        comorbidities="HTA",
        key_results="Calprotectine 850 µg/g ; coloscopie : colite ulcérée",
        reason="causality",
        question="Colite grade 3 sous nivolumab + ipilimumab : infliximab ? Reprise du nivolumab seul ?",
    )
    nivo = DrugFactory(name="nivolumab", target=Drug.Target.PD1, atc_code="L01FF01")
    ipi = DrugFactory(name="ipilimumab", target=Drug.Target.CTLA4, atc_code="L01FX04")
    ImmunotherapyLineFactory(
        case=case,
        drugs=[nivo, ipi],
        regimen=ImmunotherapyLine.Regimen.ICI_ICI,
        start_date=dt.date(2026, 1, 5),
        last_dose_date=dt.date(2026, 2, 16),
        cycles=4,
        status=ImmunotherapyLine.LineStatus.HELD,
        dose="nivolumab 1 mg/kg + ipilimumab 3 mg/kg toutes les 3 semaines",
    )
    colitis = ToxicityEventFactory(code="export-colite", label="Colite", ctcae_term="Colitis", category=digestive)
    ToxicityFactory(
        case=case,
        event=colitis,
        grade=3,
        onset_date=dt.date(2026, 3, 1),
        description="8 selles/jour, rectorragies",
        management_hold=True,
        steroids_mg_per_kg=Decimal("1.00"),
    )
    avis = AvisFactory(
        case=case,
        meeting=meeting,
        state=Avis.State.VALIDATED,
        answer="Colite immuno-induite grade 3 corticorésistante : infliximab 5 mg/kg.\n"
        "Reprise du nivolumab seul à discuter.",
        ici_decision=Avis.IciDecision.HOLD,
        rechallenge=Avis.Rechallenge.POSSIBLE,
        steroids=True,
        steroids_dose="méthylprednisolone 2 mg/kg/j",
        other_immunosuppressant="infliximab 5 mg/kg",
        further_tests="Coloscopie avec biopsies",
        hospitalisation=True,
        specialist_consultation="Gastro-entérologie",
        follow_up_date=dt.date(2026, 4, 15),
        free_text="Avis unanime.",
        declare_pv=True,
        drafted_by=coordinator,
        validated_by=coordinator,
        validated_at=timezone.now(),
    )
    avis.contributors.add(coordinator, gastro)
    return Board(meeting=meeting, case=case, avis=avis, coordinator=coordinator, requester=alice, referent=gastro)
