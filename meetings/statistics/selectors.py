"""The board's figures, read from the database: one source function per group of figures.

Each source computes its figures for a period with a fixed number of aggregate queries (counts, shares and
percentiles are computed by the database; Python only divides and formats), so a year of a national board costs
what a month of a small one does. ``dashboard()`` runs the sources of the sections a user may see and lays the
figures out in ``figures.FIGURES`` order; a figure no source provides is "non disponible".

Adding a figure: define it in ``figures.py``, then compute it in a function decorated with ``@source`` (or in an
existing source's query). Conventions used throughout:

- a meeting belongs to the period of its start; "held" means held or validated (attendance or an avis was
  recorded; a cancelled, planned or published meeting is not held);
- a request belongs to the period of its submission; a delay to the period of the event that ends it;
- a pharmacovigilance follow-up belongs to the period in which it was opened, as in the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import TruncDate, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.followup.models import Applied, FollowUp
from cases.models import Avis, Case, CaseStatus, Urgency
from cases.pharmacovigilance.models import PvFollowUp, PvStatus
from meetings.models import AgendaItem, Meeting, Participant
from meetings.session.selectors import QUORUM_MIN_SPECIALTIES
from tigre.lib.specialties import Specialty

from . import aggregates
from .figures import (
    ACTIVITY,
    AVIS,
    DELAYS,
    FIGURES,
    FIGURES_BY_KEY,
    MEETING,
    PHARMACOVIGILANCE,
    SECTIONS,
    TABLES,
    TABLES_BY_KEY,
    Figure,
    Row,
    Table,
)
from .models import ActivityReport
from .periods import PARIS, Period

HELD = (Meeting.Status.HELD, Meeting.Status.VALIDATED)
TWO_HOURS = dt.timedelta(hours=2)
ONE_DAY = dt.timedelta(hours=24)


@dataclass
class Result:
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)

    def value(self, key: str, value: Any) -> None:
        self.figures[key] = Figure(FIGURES_BY_KEY[key], value)

    def share(self, key: str, numerator: int, denominator: int) -> None:
        self.figures[key] = Figure(
            FIGURES_BY_KEY[key],
            numerator * 100 / denominator if denominator else None,
            numerator=numerator,
            denominator=denominator,
        )

    def table(self, key: str, rows: Iterable[tuple[str, int]], total: int) -> None:
        self.tables[key] = Table(TABLES_BY_KEY[key], [Row(label, count, total) for label, count in rows])


SourceFn = Callable[[Period, Result], None]
SOURCES: list[tuple[str, SourceFn]] = []


def source(section: str) -> Callable[[SourceFn], SourceFn]:
    """Register a function that computes some figures of ``section`` into the result it is given."""

    def register(fn: SourceFn) -> SourceFn:
        SOURCES.append((section, fn))
        return fn

    return register


def _in(period: Period, lookup: str) -> Q:
    return Q(**{f"{lookup}__gte": period.start, f"{lookup}__lt": period.end})


def _held_meetings(period: Period) -> QuerySet[Meeting]:
    return Meeting.objects.filter(_in(period, "starts_at"), status__in=HELD)


def _submitted(period: Period) -> QuerySet[Case]:
    return Case.objects.filter(_in(period, "submitted_at")).exclude(status=CaseStatus.DRAFT)


def _duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _label(value: Any, default: str = "") -> str:
    return str(value) if value not in (None, "") else (default or _("non renseigné"))


# --- Activity ------------------------------------------------------------------------------------------------


@source(ACTIVITY)
def meetings_and_cases(period: Period, result: Result) -> None:
    meetings = Meeting.objects.filter(_in(period, "starts_at")).aggregate(
        held=Count("pk", filter=Q(status__in=HELD)),
        cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
    )
    discussed = AgendaItem.objects.filter(
        _in(period, "meeting__starts_at"), meeting__status__in=HELD, outcome=AgendaItem.Outcome.DISCUSSED
    ).count()
    result.value("meetings_held", meetings["held"])
    result.value("meetings_cancelled", meetings["cancelled"])
    result.value("cases_discussed", discussed)
    result.value("cases_per_meeting", discussed / meetings["held"] if meetings["held"] else None)


def _patient_seen_before() -> Any:
    """An earlier submitted request of the same patient: same INS, or same birth name, first names and birth
    date. Two EXISTS rather than one with an OR, so that each uses its index (INS; birth name and date); the INS
    one only for a request that has an INS (a CASE is evaluated lazily: without it, every request without an INS
    would look through every other patient without one)."""
    earlier = Case.objects.filter(submitted_at__lt=OuterRef("submitted_at")).exclude(status=CaseStatus.DRAFT)
    by_ins = earlier.filter(patient__ins=OuterRef("patient__ins"))
    by_name = earlier.filter(
        patient__birth_name=OuterRef("patient__birth_name"),
        patient__birth_date=OuterRef("patient__birth_date"),
        patient__first_names=OuterRef("patient__first_names"),
    )
    return DbCase(
        When(patient__ins="", then=Exists(by_name)),
        default=Exists(by_ins) | Exists(by_name),
        output_field=BooleanField(),
    )


@source(ACTIVITY)
def requests(period: Period, result: Result) -> None:
    cases = _submitted(period)
    totals = cases.annotate(seen_before=_patient_seen_before()).aggregate(
        total=Count("pk"),
        urgent=Count("pk", filter=Q(urgency=Urgency.URGENT)),
        represented=Count("pk", filter=Q(seen_before=True)),
    )
    total = totals["total"]
    result.value("requests_total", total)
    result.share("urgent_share", totals["urgent"], total)
    result.value("new_patients", total - totals["represented"])
    result.share("represented_share", totals["represented"], total)

    def counted(values: str, *, distinct: bool = False) -> list[tuple[str, int]]:
        rows = (
            cases.values(values)
            .annotate(n=Count("pk", distinct=distinct))
            .order_by("-n", values)
            .values_list(values, "n")
        )
        return [(_label(label), n) for label, n in rows]

    result.table("by_centre", counted("patient__treating_centre__name"), total)
    result.table("by_hospital", counted("requester_centre__name"), total)
    organs = (
        cases.filter(toxicities__isnull=False)
        .values("toxicities__event__category__label", "toxicities__event__category__position")
        .annotate(n=Count("pk", distinct=True))
        .order_by("toxicities__event__category__position", "toxicities__event__category__label")
    )
    result.table("by_organ", [(r["toxicities__event__category__label"], r["n"]) for r in organs], total)
    drugs = cases.filter(lines__drugs__isnull=False)
    result.table(
        "by_drug",
        [
            (name, n)
            for name, n in drugs.values("lines__drugs__name")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", "lines__drugs__name")
            .values_list("lines__drugs__name", "n")
        ],
        total,
    )
    grades = dict(cases.values("highest_grade").annotate(n=Count("pk")).values_list("highest_grade", "n"))
    result.table(
        "by_grade",
        [(_("Grade %(g)s") % {"g": g}, grades.get(g, 0)) for g in range(1, 6)]
        + ([(_("non renseigné"), grades[None])] if grades.get(None) else []),
        total,
    )


@source(ACTIVITY)
def by_month(period: Period, result: Result) -> None:
    """Requests submitted and cases discussed, per Paris month (zero for a month without any)."""
    submitted = dict(
        _submitted(period)
        .annotate(month=TruncMonth("submitted_at", tzinfo=PARIS))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    discussed = dict(
        AgendaItem.objects.filter(
            _in(period, "meeting__starts_at"), meeting__status__in=HELD, outcome=AgendaItem.Outcome.DISCUSSED
        )
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=PARIS))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )

    def per_month(counts: dict[Any, int]) -> dict[dt.date, int]:
        out: dict[dt.date, int] = {}
        for month, n in counts.items():
            day = month.astimezone(PARIS).date() if isinstance(month, dt.datetime) else month
            out[day.replace(day=1)] = out.get(day.replace(day=1), 0) + n
        return out

    months = period.months()
    sub, disc = per_month(submitted), per_month(discussed)
    table = Table(TABLES_BY_KEY["by_month"])
    table.rows = [Row(date_format(m, "F Y"), sub.get(m, 0), 0) for m in months]
    table.axis = period.month_axis()
    table.series = [
        (_("Demandes soumises"), [sub.get(m, 0) for m in months]),
        (_("Dossiers discutés"), [disc.get(m, 0) for m in months]),
    ]
    result.tables["by_month"] = table


# --- Delays --------------------------------------------------------------------------------------------------


@source(DELAYS)
def delay_to_discussion(period: Period, result: Result) -> None:
    """First discussions in the period: a discussed item with no earlier discussed item of the same request."""
    earlier = AgendaItem.objects.filter(
        case=OuterRef("case"),
        outcome=AgendaItem.Outcome.DISCUSSED,
        meeting__status__in=HELD,
        meeting__starts_at__lt=OuterRef("meeting__starts_at"),
    )
    items = AgendaItem.objects.filter(
        _in(period, "meeting__starts_at"),
        meeting__status__in=HELD,
        outcome=AgendaItem.Outcome.DISCUSSED,
        case__submitted_at__isnull=False,
    ).exclude(Exists(earlier))
    figures = aggregates.aggregate(
        items,
        plain={"n": Count("pk")},
        percentiles={"median": ("delay", 0.5), "p90": ("delay", 0.9)},
        expressions={"delay": _duration("meeting__starts_at", "case__submitted_at")},
    )
    result.value("delay_discussion_count", figures["n"])
    result.value("delay_discussion_median", figures["median"])
    result.value("delay_discussion_p90", figures["p90"])


@source(DELAYS)
def delay_to_avis(period: Period, result: Result) -> None:
    earlier = Avis.objects.filter(
        case=OuterRef("case"), state=Avis.State.VALIDATED, validated_at__lt=OuterRef("validated_at")
    )
    avis = Avis.objects.filter(
        _in(period, "validated_at"), state=Avis.State.VALIDATED, case__submitted_at__isnull=False
    ).exclude(Exists(earlier))
    figures = aggregates.aggregate(
        avis,
        plain={"n": Count("pk")},
        percentiles={"median": ("delay", 0.5), "p90": ("delay", 0.9)},
        expressions={"delay": _duration("validated_at", "case__submitted_at")},
    )
    result.value("delay_avis_count", figures["n"])
    result.value("delay_avis_median", figures["median"])
    result.value("delay_avis_p90", figures["p90"])


@source(DELAYS)
def urgent_delays(period: Period, result: Result) -> None:
    cases = Case.objects.filter(_in(period, "urgent_alerted_at"), urgency=Urgency.URGENT)
    figures = aggregates.aggregate(
        cases,
        plain={
            "alerted": Count("pk"),
            "ack_2h": Count("pk", filter=Q(ack__lte=TWO_HOURS)),
            "ack_24h": Count("pk", filter=Q(ack__lte=ONE_DAY)),
            "opinion_2h": Count("pk", filter=Q(opinion__lte=TWO_HOURS)),
            "opinion_24h": Count("pk", filter=Q(opinion__lte=ONE_DAY)),
        },
        percentiles={
            "ack_median": ("ack", 0.5),
            "ack_p90": ("ack", 0.9),
            "opinion_median": ("opinion", 0.5),
            "opinion_p90": ("opinion", 0.9),
        },
        expressions={
            "ack": _duration("urgent_acknowledged_at", "urgent_alerted_at"),
            "opinion": _duration("urgent_opinion_at", "urgent_alerted_at"),
        },
    )
    alerted = figures["alerted"]
    result.value("urgent_alerted", alerted)
    for name in ("ack", "opinion"):
        result.value(f"urgent_{name}_median", figures[f"{name}_median"])
        result.value(f"urgent_{name}_p90", figures[f"{name}_p90"])
        result.share(f"urgent_{name}_2h", figures[f"{name}_2h"], alerted)
        result.share(f"urgent_{name}_24h", figures[f"{name}_24h"], alerted)


# --- The meeting ---------------------------------------------------------------------------------------------


@source(MEETING)
def meeting_quality(period: Period, result: Result) -> None:
    physicians = Q(participants__present=True) & ~Q(participants__user__specialty="")
    quorum = (
        _held_meetings(period)
        .annotate(specialties=Count("participants__user__specialty", filter=physicians, distinct=True))
        .aggregate(
            held=Count("pk"),
            with_quorum=Count("pk", filter=Q(specialties__gte=QUORUM_MIN_SPECIALTIES)),
        )
    )
    held = quorum["held"]
    result.share("quorum_share", quorum["with_quorum"], held)
    items = AgendaItem.objects.filter(_in(period, "meeting__starts_at"), meeting__status__in=HELD).aggregate(
        discussed=Count("pk", filter=Q(outcome=AgendaItem.Outcome.DISCUSSED)),
        postponed=Count("pk", filter=Q(outcome=AgendaItem.Outcome.POSTPONED)),
    )
    result.value("postponed_count", items["postponed"])
    result.share("postponed_share", items["postponed"], items["discussed"] + items["postponed"])

    present = Participant.objects.filter(_in(period, "meeting__starts_at"), meeting__status__in=HELD, present=True)
    specialties = list(present.values("user__specialty").annotate(n=Count("pk")).values_list("user__specialty", "n"))
    total = sum(n for _s, n in specialties)
    result.value("attendance_mean", total / held if held else None)
    labels = dict(Specialty.choices)
    rows = sorted(
        ((str(labels.get(code, _("sans spécialité"))) if code else _("sans spécialité"), n) for code, n in specialties),
        key=lambda r: (-r[1], r[0]),
    )
    result.table("attendance_by_specialty", rows, total)
    centres = present.values("user__centre__name").annotate(n=Count("pk")).order_by("-n", "user__centre__name")
    result.table(
        "attendance_by_centre",
        [(_label(c["user__centre__name"]), c["n"]) for c in centres],
        total,
    )


# --- The avis ------------------------------------------------------------------------------------------------


@source(AVIS)
def avis_mix(period: Period, result: Result) -> None:
    decision = Avis.IciDecision
    mix = Avis.objects.filter(_in(period, "meeting_at"), state=Avis.State.VALIDATED).aggregate(
        total=Count("pk"),
        **{d.value: Count("pk", filter=Q(ici_decision=d.value)) for d in decision},
        unspecified=Count("pk", filter=Q(ici_decision="")),
        rechallenge_possible=Count("pk", filter=Q(rechallenge=Avis.Rechallenge.POSSIBLE)),
        rechallenge_contraindicated=Count("pk", filter=Q(rechallenge=Avis.Rechallenge.CONTRAINDICATED)),
        steroids=Count("pk", filter=Q(steroids=True)),
        other=Count("pk", filter=~Q(other_immunosuppressant="")),
        hospitalisation=Count("pk", filter=Q(hospitalisation=True)),
        declare_pv=Count("pk", filter=Q(declare_pv=True)),
    )
    total = mix["total"]
    result.value("avis_validated", total)
    result.table(
        "avis_decisions",
        [(str(d.label), mix[d.value]) for d in decision] + [(_("Non précisée"), mix["unspecified"])],
        total,
    )
    result.table(
        "avis_measures",
        [
            (_("Reprise (rechallenge) possible"), mix["rechallenge_possible"]),
            (_("Reprise contre-indiquée"), mix["rechallenge_contraindicated"]),
            (_("Corticothérapie"), mix["steroids"]),
            (_("Autre immunosuppresseur"), mix["other"]),
            (_("Hospitalisation"), mix["hospitalisation"]),
            (_("À déclarer à la pharmacovigilance"), mix["declare_pv"]),
        ],
        total,
    )


@source(AVIS)
def avis_follow_up(period: Period, result: Result) -> None:
    """The requesters' answers at the réévaluation date (cases/followup/), by the meeting of the avis."""
    answers = FollowUp.objects.filter(_in(period, "avis__meeting_at"), answered_at__isnull=False).aggregate(
        n_answered=Count("pk"),
        n_applied=Count("pk", filter=Q(applied=Applied.YES)),
        n_not_applied=Count("pk", filter=Q(applied=Applied.NO)),
    )
    result.share("followup_applied_share", answers["n_applied"], answers["n_answered"])
    result.share("followup_not_applied_share", answers["n_not_applied"], answers["n_answered"])


# --- Pharmacovigilance ---------------------------------------------------------------------------------------


@source(PHARMACOVIGILANCE)
def pharmacovigilance(period: Period, result: Result) -> None:
    statuses = PvFollowUp.objects.filter(_in(period, "created_at")).aggregate(
        total=Count("pk"), **{s.value: Count("pk", filter=Q(status=s.value)) for s in PvStatus}
    )
    total = statuses["total"]
    result.value("pv_followed", total)
    result.value("pv_to_declare", statuses[PvStatus.TO_DECLARE])
    result.value("pv_declared", statuses[PvStatus.DECLARED])
    result.share(
        "pv_declared_share",
        statuses[PvStatus.DECLARED],
        statuses[PvStatus.DECLARED] + statuses[PvStatus.TO_DECLARE],
    )
    result.table("pv_statuses", [(str(s.label), statuses[s.value]) for s in PvStatus], total)
    declared = PvFollowUp.objects.filter(
        status=PvStatus.DECLARED, declared_on__gte=period.first, declared_on__lte=period.last
    )
    figures = aggregates.aggregate(
        declared,
        plain={"n": Count("pk")},
        percentiles={"median": ("delay", 0.5), "p90": ("delay", 0.9)},
        expressions={
            "opened_on": TruncDate("created_at", tzinfo=PARIS),
            "delay": _duration("declared_on", "opened_on"),
        },
    )
    result.value("pv_delay_count", figures["n"])
    result.value("pv_delay_median", figures["median"])
    result.value("pv_delay_p90", figures["p90"])


# --- The dashboard -------------------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]
    tables: list[Table]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass
class Dashboard:
    period: Period
    sections: list[Section]
    computed_at: dt.datetime | None = None

    def figure(self, key: str) -> Figure:
        return next(f for s in self.sections for f in s.figures if f.key == key)

    def table(self, key: str) -> Table:
        return next(t for s in self.sections for t in s.tables if t.key == key)

    @property
    def section_keys(self) -> list[str]:
        return [s.key for s in self.sections]


def dashboard(period: Period, *, sections: Iterable[str] = tuple(SECTIONS)) -> Dashboard:
    """Every figure of the chosen sections for ``period`` (a fixed number of queries, whatever the data)."""
    wanted = [s for s in SECTIONS if s in set(sections)]
    result = Result()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # These aggregates run in tens of milliseconds; PostgreSQL's JIT compiler, which their cost estimate
            # triggers on a national-size table, would spend more than that compiling them.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        for section, fn in SOURCES:
            if section in wanted:
                fn(period, result)
    laid_out = []
    note = 0
    for key in wanted:
        figures = [result.figures.get(d.key) or Figure(d, available=False) for d in FIGURES if d.section == key]
        tables = [result.tables.get(t.key) or Table(t) for t in TABLES if t.section == key]
        for figure in figures:
            note += 1
            figure.note = note
        for table in tables:
            note += 1
            table.note = note
        laid_out.append(Section(key, str(SECTIONS[key]), figures, tables))
    return Dashboard(period, laid_out, computed_at=timezone.now())


# --- Reports and the period chooser ----------------------------------------------------------------------------


def recent_reports(*, limit: int) -> list[ActivityReport]:
    return list(ActivityReport.objects.select_related("requested_by").order_by("-requested_at", "-pk")[:limit])


def get_report(pk: int | str) -> ActivityReport:
    try:
        return ActivityReport.objects.get(pk=pk)
    except (ActivityReport.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
