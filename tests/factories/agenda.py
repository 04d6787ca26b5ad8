"""Factories for the triage queue and the agenda builder: accepted requests with toxicities, referents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.models import CaseStatus, Urgency
from referents.models import Coverage
from tests.dates import at, day

from .cases import SubmittedCaseFactory, ToxicityFactory
from .referents import CoverageFactory, OrganCategoryFactory, ReferentFactory, ToxicityEventFactory


def accepted_case(
    *,
    submitted_at: dt.datetime | None = None,
    grade: int = 2,
    urgent: bool = False,
    ratification: bool = False,
    category: Any = None,
    status: str = CaseStatus.ACCEPTED,
    **kwargs: Any,
) -> Any:
    """An accepted request with one toxicity of ``grade`` in ``category`` (highest_grade kept in step), submitted
    by default on the Tuesday before BASE_WEDNESDAY: past that meeting's cut-off, in time for the next one."""
    submitted_at = submitted_at or at(day(-1), 10)
    case = SubmittedCaseFactory(
        status=status,
        submitted_at=submitted_at,
        highest_grade=grade,
        urgency=Urgency.URGENT if urgent else Urgency.STANDARD,
        urgent_opinion_at=submitted_at + dt.timedelta(hours=1) if ratification else None,
        urgent_opinion="Arrêt de l'ICI, corticoïdes 1 mg/kg" if ratification else "",
        **kwargs,
    )
    event = ToxicityEventFactory(category=category or OrganCategoryFactory())
    ToxicityFactory(case=case, event=event, grade=grade)
    return case


def referent_for(category: Any, *, rank: str = Coverage.Rank.PRIMARY, centre: Any = None, **user: Any) -> Any:
    extra = {"centre": centre} if centre is not None else {}
    referent = ReferentFactory(**extra, **({"user__" + k: v for k, v in user.items()}))
    CoverageFactory(referent=referent, category=category, rank=rank)
    return referent


def built_agenda(meeting: Any, by: Any, refs: tuple[str, ...] = ("A", "B", "C")) -> Any:
    """``meeting`` with an agenda built from accepted requests referenced ``refs`` (grades 4, 3, 2...: that order)."""
    from meetings.agenda.services import agenda_build

    for n, ref in enumerate(refs):
        accepted_case(reference=ref, grade=4 - n)
    agenda_build(meeting=meeting, by=by)
    meeting.refresh_from_db()
    return meeting
