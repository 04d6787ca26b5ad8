"""Builders of small hand-made worlds for the activity figures: a few meetings, requests, avis and follow-ups at
chosen Paris times, whose figures are known in advance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.models import Avis, CaseStatus, Urgency
from meetings.models import AgendaItem, Meeting, Participant
from meetings.statistics.periods import PARIS
from tests.factories.accounts import UserFactory
from tests.factories.cases import PatientFactory, SubmittedCaseFactory
from tests.factories.meetings import AgendaItemFactory, MeetingFactory


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def meeting(day: dt.date, status: str = Meeting.Status.VALIDATED) -> Meeting:
    start = dt.datetime.combine(day, dt.time(17, 0), tzinfo=PARIS)
    return MeetingFactory(starts_at=start, ends_at=start + dt.timedelta(minutes=90), status=status)


def request(submitted: dt.datetime, **kwargs: Any) -> Any:
    kwargs.setdefault("status", CaseStatus.AVIS_VALIDATED)
    return SubmittedCaseFactory(submitted_at=submitted, **kwargs)


def item(on: Meeting, case: Any, outcome: str = AgendaItem.Outcome.DISCUSSED) -> AgendaItem:
    return AgendaItemFactory(meeting=on, case=case, outcome=outcome)


def avis(case: Any, on: Meeting, *, validated_at: dt.datetime | None = None, **fields: Any) -> Avis:
    fields.setdefault("drafted_by", UserFactory(roles=["coordinator"]))
    fields.setdefault("answer", "Avis.")
    return Avis.objects.create(
        case=case,
        meeting_at=on.starts_at,
        state=Avis.State.VALIDATED,
        validated_at=validated_at or on.ends_at,
        **fields,
    )


def present(on: Meeting, *specialties: str, absent: int = 0) -> list[Participant]:
    rows = [
        Participant.objects.create(meeting=on, user=UserFactory(specialty=s), role="referent", present=True)
        for s in specialties
    ]
    rows += [
        Participant.objects.create(meeting=on, user=UserFactory(specialty="cardiology"), role="referent", present=False)
        for _ in range(absent)
    ]
    return rows


def urgent(alerted: dt.datetime, *, ack_after: dt.timedelta | None, opinion_after: dt.timedelta | None) -> Any:
    return request(
        alerted,
        urgency=Urgency.URGENT,
        urgent_alerted_at=alerted,
        urgent_acknowledged_at=alerted + ack_after if ack_after is not None else None,
        urgent_opinion_at=alerted + opinion_after if opinion_after is not None else None,
    )


def patient(**kwargs: Any) -> Any:
    return PatientFactory(**kwargs)
