"""Factories for the meeting session (participants, avis, calendar feeds) and a ready-made session."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import factory

from cases.models import Avis, CaseStatus
from meetings.models import AgendaItem, AgendaItemReferent, CalendarFeed, Meeting, Participant
from tigre.lib.specialties import Specialty

from .accounts import UserFactory
from .cases import ImmunotherapyLineFactory, SubmittedCaseFactory, ToxicityFactory
from .meetings import AgendaItemFactory, MeetingFactory, StartedMeetingFactory
from .referents import CoverageFactory, OrganCategoryFactory, ReferentFactory, ToxicityEventFactory


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    role = Participant.Role.REFERENT
    invited = True
    present = None


class AvisFactory(factory.django.DjangoModelFactory):
    """An avis given at ``meeting`` (a parameter): the meeting's agenda item of the case points at it (created if
    the case is not on that agenda yet), as the session does."""

    class Meta:
        model = Avis
        skip_postgeneration_save = True

    case = factory.SubFactory(SubmittedCaseFactory, status=CaseStatus.DISCUSSED)
    meeting = factory.SubFactory(MeetingFactory)  # not a field: taken off in _create, linked by on_agenda
    meeting_at = factory.LazyAttribute(lambda o: o.meeting.starts_at)
    answer = "Arrêt définitif du pembrolizumab ; corticothérapie 1 mg/kg/j."
    ici_decision = Avis.IciDecision.STOP
    drafted_by = factory.SubFactory(UserFactory, roles=["coordinator"])

    @factory.post_generation
    def on_agenda(obj: Avis, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        meeting = obj._meeting  # type: ignore[attr-defined]
        item = AgendaItem.objects.filter(meeting=meeting, case=obj.case).first()
        if item is None:
            item = AgendaItemFactory(meeting=meeting, case=obj.case, outcome=AgendaItem.Outcome.DISCUSSED)
        item.avis = obj
        item.save(update_fields=["avis"])

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Avis:
        meeting = kwargs.pop("meeting", None)
        obj = super()._create(model_class, *args, **kwargs)
        obj._meeting = meeting  # type: ignore[attr-defined]
        return obj


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))


def scheduled_item(meeting: Meeting, *, category: Any = None, grade: int = 2, **case_kwargs: Any) -> AgendaItem:
    """A case SCHEDULED on ``meeting`` with one toxicity (in ``category``) and one immunotherapy line."""
    case = SubmittedCaseFactory(status=CaseStatus.SCHEDULED, **case_kwargs)
    event = ToxicityEventFactory(category=category) if category is not None else ToxicityEventFactory()
    ToxicityFactory(case=case, event=event, grade=grade)
    ImmunotherapyLineFactory(case=case)
    return AgendaItemFactory(meeting=meeting, case=case)


@dataclass
class Session:
    """A meeting with a coordinator, a cardiology referent covering the heart, and physicians of 3 specialties."""

    meeting: Meeting
    coordinator: Any
    heart: Any
    skin: Any
    cardiologist: Any
    cardio_participant: Participant
    participants: list[Participant] = field(default_factory=list)
    items: list[AgendaItem] = field(default_factory=list)


def make_session(
    *, coordinator: Any, cases: int = 2, present: bool = True, started: bool = True, **meeting_kwargs: Any
) -> Session:
    """A session of a meeting that has begun (``started``), or of one still to come."""
    meeting = (StartedMeetingFactory if started else MeetingFactory)(**meeting_kwargs)
    meeting.coordinators.add(coordinator)
    heart = OrganCategoryFactory(code="coeur-test", label="Cœur et vaisseaux", specialty=Specialty.CARDIOLOGY)
    skin = OrganCategoryFactory(code="peau-test", label="Peau", specialty=Specialty.DERMATOLOGY)
    referent = ReferentFactory(
        user=UserFactory(roles=["referent"], specialty=Specialty.CARDIOLOGY, last_name="Cardio"),
        specialty=Specialty.CARDIOLOGY,
    )
    CoverageFactory(referent=referent, category=heart)
    neuro = UserFactory(roles=["referent"], specialty=Specialty.NEUROLOGY, last_name="Neuro")
    rows = [
        ParticipantFactory(meeting=meeting, user=coordinator, role=Participant.Role.COORDINATOR, present=present),
        ParticipantFactory(meeting=meeting, user=referent.user, present=present),
        ParticipantFactory(meeting=meeting, user=neuro, present=present),
    ]
    items = [scheduled_item(meeting, category=heart) for _ in range(cases)]
    for item in items:
        AgendaItemReferent.objects.create(item=item, referent=referent, category=heart)
    return Session(
        meeting=meeting,
        coordinator=coordinator,
        heart=heart,
        skin=skin,
        cardiologist=referent.user,
        cardio_participant=rows[1],
        participants=rows,
        items=items,
    )
