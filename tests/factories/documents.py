"""Factories and builders for the meeting documents' tests (agenda, fiche RCP, minutes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.models import Avis, CaseStatus, Urgency
from meetings.models import AgendaItem, AgendaItemReferent, Meeting, Participant
from meetings.session.selectors import attendance_record
from tests.dates import day, meeting_start
from tigre.lib.specialties import Specialty

from .accounts import UserFactory
from .cases import DrugFactory, ImmunotherapyLineFactory, SubmittedCaseFactory, ToxicityFactory
from .meetings import AgendaItemFactory, MeetingFactory
from .referents import CoverageFactory, OrganCategoryFactory, ReferentFactory, ToxicityEventFactory
from .session import AvisFactory as SessionAvisFactory

# One meeting time for tests that read the date back (MeetingFactory's sequence moves week by week): the regular
# meeting of tests.dates.BASE_WEDNESDAY.
WEDNESDAY = meeting_start()


class AvisFactory(SessionAvisFactory):
    """A complete avis (every structured option set) given at ``meeting``."""

    answer = "Arrêt définitif du pembrolizumab ; corticothérapie 1 mg/kg/j puis décroissance sur 6 semaines."
    rechallenge = Avis.Rechallenge.CONTRAINDICATED
    steroids = True
    steroids_dose = "prednisone 1 mg/kg/j"
    further_tests = "IRM cardiaque, troponine à J7"
    hospitalisation = True
    specialist_consultation = "Cardiologie"
    follow_up_date = day(weeks=2)
    declare_pv = True


def build_meeting(
    n_items: int = 3,
    *,
    coordinators: list[Any] | None = None,
    invited: list[Any] | None = None,
    urgent_every: int = 4,
    with_avis: bool = False,
    drafted_by: Any = None,
    **meeting_kwargs: Any,
) -> Meeting:
    """A meeting with ``n_items`` scheduled cases (toxicities, lines, needed referents) and invitations.

    Every ``urgent_every``-th case is urgent. With ``with_avis`` each item is discussed and has a draft avis.
    """
    meeting = MeetingFactory(**meeting_kwargs)
    if coordinators:
        meeting.coordinators.add(*coordinators)
    cardio = OrganCategoryFactory(code="cardiaque", label="Cardiaque", specialty=Specialty.CARDIOLOGY)
    digest = OrganCategoryFactory(code="digestive", label="Digestive", specialty=Specialty.GASTROENTEROLOGY)
    myocarditis = ToxicityEventFactory(code="myocardite", label="Myocardite", category=cardio)
    colitis = ToxicityEventFactory(code="colite", label="Colite immuno-induite", category=digest)
    cardiologist = ReferentFactory(user__specialty=Specialty.CARDIOLOGY, specialty=Specialty.CARDIOLOGY)
    gastro = ReferentFactory(user__specialty=Specialty.GASTROENTEROLOGY, specialty=Specialty.GASTROENTEROLOGY)
    CoverageFactory(referent=cardiologist, category=cardio)
    CoverageFactory(referent=gastro, category=digest)
    pembro = DrugFactory(name="pembrolizumab")
    ipi = DrugFactory(name="ipilimumab", target="CTLA-4", atc_code="L01FX04")
    start = meeting.starts_at
    for i in range(n_items):
        urgent = urgent_every and i % urgent_every == 0
        case = SubmittedCaseFactory(
            status=CaseStatus.DISCUSSED if with_avis else CaseStatus.SCHEDULED,
            urgency=Urgency.URGENT if urgent else Urgency.STANDARD,
            urgency_reason="Troponine en hausse, suspicion de myocardite" if urgent else "",
            highest_grade=3 if urgent else 2,
            question=f"Dossier {i + 1:02d} : faut-il reprendre l'immunothérapie après la colite de grade 2 ?",
        )
        ImmunotherapyLineFactory(case=case, drugs=[pembro, ipi] if i % 2 else [pembro])
        ToxicityFactory(case=case, event=colitis, grade=2)
        if urgent:
            ToxicityFactory(case=case, event=myocarditis, grade=3)
        item = AgendaItemFactory(
            meeting=meeting,
            case=case,
            position=i,
            slot_start=start + dt.timedelta(minutes=10 * i),
            kind=AgendaItem.Kind.URGENT if urgent else AgendaItem.Kind.STANDARD,
            outcome=AgendaItem.Outcome.DISCUSSED if with_avis else AgendaItem.Outcome.PLANNED,
        )
        AgendaItemReferent.objects.create(item=item, referent=gastro, category=digest)
        if urgent:
            AgendaItemReferent.objects.create(item=item, referent=cardiologist, category=cardio)
        if with_avis:
            AvisFactory(case=case, meeting=meeting, drafted_by=drafted_by or UserFactory(roles=["coordinator"]))
    for user in [cardiologist.user, gastro.user, *(invited or [])]:
        Participant.objects.get_or_create(
            meeting=meeting, user=user, defaults={"role": Participant.Role.REFERENT, "invited": True}
        )
    for user in coordinators or []:
        Participant.objects.get_or_create(
            meeting=meeting, user=user, defaults={"role": Participant.Role.COORDINATOR, "invited": True}
        )
    return meeting


def validate_meeting(meeting: Meeting, *, by: Any, absent: tuple[Any, ...] = ()) -> Meeting:
    """Mark everyone present (but ``absent`` users), validate every avis and the meeting, recording the attendance
    (as the session's validation does)."""
    now = timezone.now()
    Participant.objects.filter(meeting=meeting).exclude(user__in=absent).update(present=True)
    Participant.objects.filter(meeting=meeting, user__in=absent).update(present=False)
    Avis.objects.filter(agenda_item__meeting=meeting).update(
        state=Avis.State.VALIDATED, validated_by=by, validated_at=now
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.VALIDATED,
        validated_by=by,
        validated_at=now,
        attendance_record=attendance_record(meeting=meeting),
    )
    meeting.refresh_from_db()
    return meeting
