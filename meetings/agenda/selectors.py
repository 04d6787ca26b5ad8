"""Reads of the agenda page: its rows, the late requests that can be added, one item.

The meeting page lists up to a whole meeting's requests on every view, without any cache: its rows are read as plain
values in three queries whatever the agenda's size (items with their request, patient and requester; the toxicities;
the referents needed), and no model instance is built for them.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db.models import QuerySet

from cases.models import Case, CaseStatus, Toxicity, pseudonym_of
from cases.selectors import matching
from meetings.models import AgendaItem, AgendaItemReferent, Meeting
from tigre import formats
from tigre.accounts.models import display_name_of

# Meetings a request can still be discussed at (the build report says where a request went).
OPEN_STATUSES = (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED)


class ToxicityLine(TypedDict):
    grade: int
    event: str
    category: str


class ReferentLine(TypedDict):
    name: str
    category: str


class AgendaRow(TypedDict):
    """One line of the agenda table: pseudonymised (no name, no date of birth), plain values only."""

    pk: int
    kind: str
    urgent: bool  # an urgent request or an urgent opinion's ratification
    ratification: bool  # an urgent opinion's ratification
    slot_start: dt.datetime | None
    placed_manually: bool
    case_id: int
    patient_id: int
    reference: str
    pseudonym: str
    site: str
    requester: str
    centre: str
    toxicities: list[ToxicityLine]  # highest grade first
    referents: list[ReferentLine]  # the referents needed, by the categories' order
    missing: list[str]  # the organ categories of its toxicities with no referent needed (none available)


def agenda_rows(meeting: Meeting) -> list[AgendaRow]:
    """The agenda's rows in their order, in three queries whatever their number."""
    items = (
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position", "pk")
        .values_list(
            "pk",
            "kind",
            "slot_start",
            "placed_manually",
            "case_id",
            "case__reference",
            "case__primary_site_label",
            "case__primary_site",
            "case__patient_id",
            "case__patient__birth_name",
            "case__patient__first_names",
            "case__patient__birth_date",
            "case__requester__title",
            "case__requester__first_name",
            "case__requester__last_name",
            "case__requester_centre__name",
        )
    )
    names: dict[tuple[str, str, str], str] = {}  # a referent needed for several requests is named once

    def name(title: str, first_name: str, last_name: str) -> str:
        key = (title, first_name, last_name)
        if key not in names:
            names[key] = display_name_of(title, first_name, last_name)
        return names[key]

    rows: list[AgendaRow] = []
    by_case: dict[int, AgendaRow] = {}
    by_item: dict[int, AgendaRow] = {}
    for (
        pk,
        kind,
        slot_start,
        placed_manually,
        case_id,
        reference,
        site_label,
        site,
        patient_id,
        birth_name,
        first_names,
        birth_date,
        title,
        first_name,
        last_name,
        centre,
    ) in items:
        row = AgendaRow(
            pk=pk,
            kind=kind,
            urgent=kind != AgendaItem.Kind.STANDARD,
            ratification=kind == AgendaItem.Kind.URGENT_RATIFICATION,
            slot_start=slot_start,
            placed_manually=placed_manually,
            case_id=case_id,
            patient_id=patient_id,
            reference=reference or "",
            pseudonym=pseudonym_of(birth_name, first_names, birth_date),
            site=site_label or site,
            requester=name(title, first_name, last_name),
            centre=centre or "",
            toxicities=[],
            referents=[],
            missing=[],
        )
        rows.append(row)
        by_case[case_id] = row
        by_item[pk] = row
    if not rows:
        return rows

    categories: dict[int, dict[int, str]] = {case_id: {} for case_id in by_case}  # per case: id -> label, in order
    toxicities = (
        Toxicity.objects.filter(case__in=list(by_case))
        .order_by("case_id", "-grade", "position", "pk")
        .values_list("case_id", "grade", "event__label", "event__category_id", "event__category__label")
    )
    for case_id, grade, event, category_id, category in toxicities:
        by_case[case_id]["toxicities"].append(ToxicityLine(grade=grade, event=event, category=category))
        categories[case_id].setdefault(category_id, category)

    covered: dict[int, set[int]] = {pk: set() for pk in by_item}
    needed = (
        AgendaItemReferent.objects.filter(item__meeting=meeting)
        .order_by("category__position", "pk")
        .values_list(
            "item_id",
            "category_id",
            "category__label",
            "referent__user__title",
            "referent__user__first_name",
            "referent__user__last_name",
        )
    )
    for item_id, category_id, category, title, first_name, last_name in needed:
        by_item[item_id]["referents"].append(ReferentLine(name=name(title, first_name, last_name), category=category))
        covered[item_id].add(category_id)

    for row in rows:
        row["missing"] = [label for pk, label in categories[row["case_id"]].items() if pk not in covered[row["pk"]]]
    return rows


LATE_CASE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.SUBMITTED)


def late_case_candidates(q: str = "") -> QuerySet[Case]:
    """Requests that can be put on an agenda by hand (accepted, or submitted and not yet triaged), urgent ones
    first then the oldest; ``q`` matches the reference or the patient's names."""
    qs = Case.objects.filter(status__in=LATE_CASE_STATUSES)
    q = q.strip()
    if q:
        qs = qs.filter(matching(q))
    return qs.select_related("patient").order_by("-urgency", "submitted_at", "pk")


def agenda_item_get(meeting: Meeting, item_pk: int | str) -> AgendaItem | None:
    """One item of this meeting's agenda (None for another meeting's item or an unknown one)."""
    return AgendaItem.objects.select_related("case").filter(meeting=meeting, pk=item_pk).first()


class ReportRow(TypedDict):
    pk: int
    reference: str
    pseudonym: str
    status: str
    status_label: str
    waiting: bool
    meeting_label: str


def build_report_rows(left_out: list[int], moved: list[int]) -> dict[int, ReportRow]:
    """The requests named by the last build's report, as they are now: their status, and the meeting they are on
    if any (two queries whatever their number)."""
    ids = [*left_out, *moved]
    cases = list(Case.objects.filter(pk__in=ids).select_related("patient"))
    on_meeting = dict(
        AgendaItem.objects.filter(case_id__in=ids, meeting__status__in=OPEN_STATUSES)
        .select_related("meeting")
        .values_list("case_id", "meeting__starts_at")
    )
    return {
        case.pk: {
            "pk": case.pk,
            "reference": case.reference or "—",
            "pseudonym": case.patient.pseudonym,
            "status": case.status,
            "status_label": case.get_status_display(),
            "waiting": case.status == CaseStatus.ACCEPTED,
            "meeting_label": formats.moment(on_meeting[case.pk], weekday=True) if case.pk in on_meeting else "",
        }
        for case in cases
    }
