"""Reads of the pharmacovigilance follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models import Case as Case_
from django.http import Http404
from django.utils import timezone

from cases.models import Case, ImmunotherapyLine

from .models import PvFollowUp, PvStatus


def overdue_to_declare(*, older_than_days: int) -> QuerySet[PvFollowUp]:
    """Follow-ups "to declare" for more than ``older_than_days`` days, oldest first.

    Toxicity, its event (and organ category), case, patient and requester are loaded.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return (
        PvFollowUp.objects.filter(status=PvStatus.TO_DECLARE, status_changed_at__lt=cutoff)
        .select_related(
            "toxicity",
            "toxicity__event",
            "toxicity__event__category",
            "toxicity__case",
            "toxicity__case__patient",
            "toxicity__case__requester",
        )
        .order_by("status_changed_at", "pk")
    )


def _with_related(qs: QuerySet[PvFollowUp]) -> QuerySet[PvFollowUp]:
    return qs.select_related(
        "toxicity",
        "toxicity__event",
        "toxicity__event__category",
        "toxicity__case",
        "toxicity__case__patient",
        "toxicity__case__requester",
        "toxicity__case__requester_centre",
        "declarer",
    )


# The CRPV's work first: "to declare" (oldest first), then "to assess", then what is settled.
STATUS_RANK = Case_(
    When(status=PvStatus.TO_DECLARE, then=Value(0)),
    When(status=PvStatus.TO_ASSESS, then=Value(1)),
    When(status=PvStatus.DECLARED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def pv_list(follow_ups: QuerySet[PvFollowUp] | None = None) -> QuerySet[PvFollowUp]:
    """The CRPV's list: ``follow_ups`` (by default all; filtered by ``filters.PvFilter``), "to declare" oldest
    first, with everything a row shows."""
    lines = ImmunotherapyLine.objects.prefetch_related("drugs")
    cutoff = timezone.now() - timedelta(days=reminder_days())
    overdue = Case_(
        When(status=PvStatus.TO_DECLARE, status_changed_at__lt=cutoff, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        _with_related(PvFollowUp.objects.all() if follow_ups is None else follow_ups)
        .prefetch_related(Prefetch("toxicity__case__lines", queryset=lines))
        .annotate(status_rank=STATUS_RANK, is_overdue=overdue)
        .order_by("status_rank", "status_changed_at", "pk")
    )


def pv_status_counts(follow_ups: QuerySet[PvFollowUp]) -> dict[str, int]:
    """How many of ``follow_ups`` per status, and how many are overdue; one query."""
    aggregates = {status: Count("pk", filter=Q(status=status)) for status in PvStatus.values}
    cutoff = timezone.now() - timedelta(days=settings.TIGRE["PV_REMINDER_DAYS"])
    aggregates["overdue"] = Count("pk", filter=Q(status=PvStatus.TO_DECLARE, status_changed_at__lt=cutoff))
    return follow_ups.aggregate(**aggregates)


def follow_up_for_sheet(pk: int | str) -> PvFollowUp:
    """One follow-up with all a declaration sheet reads (a fixed number of queries); 404 if absent."""
    lines = ImmunotherapyLine.objects.prefetch_related("drugs")
    qs = (
        _with_related(PvFollowUp.objects.all())
        .select_related("declaration", "toxicity__case__requester__centre", "toxicity__case__pv_details")
        .prefetch_related(
            Prefetch("toxicity__case__lines", queryset=lines),
            "toxicity__case__pv_drug_details",
            "toxicity__case__avis_set",
            "changes__by",
        )
    )
    try:
        return qs.get(pk=pk)
    except (PvFollowUp.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_follow_ups(case: Case) -> QuerySet[PvFollowUp]:
    """The follow-ups of one case (for the status shown on the case page)."""
    return (
        PvFollowUp.objects.filter(toxicity__case=case)
        .select_related("toxicity", "toxicity__event")
        .order_by("toxicity__position", "toxicity__pk")
    )


@dataclass
class RegistryRow:
    drug: str
    category: str
    grade: int
    declared: int
    undeclared: int

    @property
    def total(self) -> int:
        return self.declared + self.undeclared


def pv_registry(follow_ups: QuerySet[PvFollowUp]) -> list[RegistryRow]:
    """Declared and undeclared irAE of ``follow_ups`` by drug x organ category x grade (one query).

    A toxicity counts once per suspect drug of its case (a combination counts under each drug), and
    "undeclared" is every status but "declared". The registry's period (``filters.PvPeriodFilter``) applies to
    when the follow-up was opened (the case was discussed at TIGRE).
    """
    qs = follow_ups.filter(toxicity__case__lines__drugs__isnull=False)
    rows = (
        qs.values(
            drug_name=F("toxicity__case__lines__drugs__name"),
            category_label=F("toxicity__event__category__label"),
            category_position=F("toxicity__event__category__position"),
            grade=F("toxicity__grade"),
        )
        .annotate(
            declared=Count("pk", filter=Q(status=PvStatus.DECLARED), distinct=True),
            undeclared=Count("pk", filter=~Q(status=PvStatus.DECLARED), distinct=True),
        )
        .order_by("drug_name", "category_position", "category_label", "grade")
    )
    return [
        RegistryRow(
            drug=r["drug_name"],
            category=r["category_label"],
            grade=r["grade"],
            declared=r["declared"],
            undeclared=r["undeclared"],
        )
        for r in rows
    ]


def reminder_days() -> int:
    return int(settings.TIGRE["PV_REMINDER_DAYS"])


def case_follow_ups_for_export(case_pk: int | str) -> list[PvFollowUp]:
    """All follow-ups of one case, loaded as for a sheet (a fixed number of queries); 404 if none."""
    lines = ImmunotherapyLine.objects.prefetch_related("drugs")
    try:
        rows = list(
            _with_related(PvFollowUp.objects.filter(toxicity__case_id=int(case_pk)))
            .select_related("declaration", "toxicity__case__requester__centre", "toxicity__case__pv_details")
            .prefetch_related(
                Prefetch("toxicity__case__lines", queryset=lines),
                "toxicity__case__pv_drug_details",
                "toxicity__case__avis_set",
            )
            .order_by("toxicity__position", "toxicity__pk")
        )
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if not rows:
        raise Http404
    return rows


@dataclass
class ChartBar:
    label: str
    declared: int
    undeclared: int
    y: int
    declared_width: float
    undeclared_width: float

    @property
    def undeclared_x(self) -> float:
        return CHART_LABEL_WIDTH + self.declared_width

    @property
    def total(self) -> int:
        return self.declared + self.undeclared

    @property
    def total_x(self) -> float:
        return CHART_LABEL_WIDTH + self.declared_width + self.undeclared_width + 6


CHART_LABEL_WIDTH = 260
CHART_BAR_AREA = 420
CHART_ROW_HEIGHT = 26


@dataclass
class RegistryChart:
    bars: list[ChartBar]
    height: int
    width: int = CHART_LABEL_WIDTH + CHART_BAR_AREA + 50
    label_width: int = CHART_LABEL_WIDTH


def registry_chart(rows: list[RegistryRow]) -> RegistryChart:
    """Bars per drug x organ category (grades summed), declared then undeclared; geometry for an SVG."""
    sums: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        counts = sums.setdefault((row.drug, row.category), [0, 0])
        counts[0] += row.declared
        counts[1] += row.undeclared
    largest = max((d + u for d, u in sums.values()), default=0) or 1
    scale = CHART_BAR_AREA / largest
    bars = [
        ChartBar(
            label=f"{drug} · {category}",
            declared=d,
            undeclared=u,
            y=index * CHART_ROW_HEIGHT,
            declared_width=round(d * scale, 1),
            undeclared_width=round(u * scale, 1),
        )
        for index, ((drug, category), (d, u)) in enumerate(sums.items())
    ]
    return RegistryChart(bars=bars, height=max(len(bars), 1) * CHART_ROW_HEIGHT)


def registry_totals(follow_ups: QuerySet[PvFollowUp]) -> dict[str, int]:
    """Distinct follow-ups (a combination counts once here, unlike the per-drug rows)."""
    totals = follow_ups.aggregate(
        declared=Count("pk", filter=Q(status=PvStatus.DECLARED)),
        undeclared=Count("pk", filter=~Q(status=PvStatus.DECLARED)),
    )
    return {**totals, "total": totals["declared"] + totals["undeclared"]}
