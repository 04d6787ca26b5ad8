"""Every non-trivial read of the directory. `referents_available` is THE way the rest of the app chooses
referents (agenda builder, urgent alerts, quorum checks): nothing else queries coverages directly."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, Func, Prefetch, QuerySet, Value
from django.db.models.functions import Concat, Lower

from tigre.accounts.models import Centre
from tigre.lib.sql import Translate

from .models import Absence, Coverage, Guideline, OrganCategory, Referent


@dataclass(frozen=True)
class Availability:
    category: OrganCategory
    primaries: list[Referent]  # available primaries, preferred centre first, then by name
    backups: list[Referent]  # available backups, same order

    @property
    def referents(self) -> list[Referent]:
        return [*self.primaries, *self.backups]

    @property
    def is_gap(self) -> bool:
        return not self.primaries and not self.backups


def _pk(value: object) -> int:
    return int(getattr(value, "pk", value))  # type: ignore[call-overload]


def absent_on(on: datetime.date) -> QuerySet[Absence]:
    """Absences covering the day `on` (bounds included)."""
    return Absence.objects.filter(start__lte=on, end__gte=on)


def referents_available(
    *,
    categories: Iterable[OrganCategory | int],
    on: datetime.date,
    prefer_centre: Centre | int | None = None,
    urgent_only: bool = False,
) -> dict[int, Availability]:
    """Keyed by category id, one entry per requested category (gaps included). Active referents only; those
    absent on `on` left out; `urgent_only` keeps those who take urgent requests. Referents come with user and
    centre loaded (select_related). Constant number of queries whatever the number of categories/referents:
    one for the coverages (absences are an SQL sub-query), plus one when categories are given as ids."""
    requested = list(categories)
    objects = {c.pk: c for c in requested if isinstance(c, OrganCategory)}
    missing = [_pk(c) for c in requested if not isinstance(c, OrganCategory)]
    missing = [pk for pk in missing if pk not in objects]
    if missing:
        objects.update(OrganCategory.objects.in_bulk(missing))
    ordered_ids = list(dict.fromkeys(_pk(c) for c in requested if _pk(c) in objects))
    if not ordered_ids:
        return {}

    coverages = (
        Coverage.objects.filter(
            category_id__in=ordered_ids,
            referent__is_active=True,
            referent__user__is_active=True,
        )
        .exclude(referent_id__in=absent_on(on).values("referent_id"))
        .select_related("referent__user", "referent__centre")
    )
    if urgent_only:
        coverages = coverages.filter(referent__takes_urgent=True)

    preferred = _pk(prefer_centre) if prefer_centre is not None else None

    def sort_key(coverage: Coverage) -> tuple[bool, str, str, int]:
        referent = coverage.referent
        return (
            referent.centre_id != preferred,
            referent.user.last_name.casefold(),
            referent.user.first_name.casefold(),
            referent.pk,
        )

    primaries: dict[int, list[Referent]] = {pk: [] for pk in ordered_ids}
    backups: dict[int, list[Referent]] = {pk: [] for pk in ordered_ids}
    for coverage in sorted(coverages, key=sort_key):
        bucket = primaries if coverage.rank == Coverage.Rank.PRIMARY else backups
        bucket[coverage.category_id].append(coverage.referent)

    return {pk: Availability(category=objects[pk], primaries=primaries[pk], backups=backups[pk]) for pk in ordered_ids}


# --- Pages of the directory -------------------------------------------------------------------------------


def meeting_day(today: datetime.date) -> datetime.date:
    """The Wednesday of the coming meeting: today if today is a Wednesday, else the next one."""
    return today + datetime.timedelta(days=(2 - today.weekday()) % 7)


def absent_referent_ids(on: datetime.date) -> set[int]:
    return set(absent_on(on).values_list("referent_id", flat=True))


@dataclass(frozen=True)
class DirectoryEntry:
    referent: Referent
    rank: str
    absent: bool

    @property
    def is_primary(self) -> bool:
        return self.rank == Coverage.Rank.PRIMARY


@dataclass(frozen=True)
class DirectoryCategory:
    category: OrganCategory
    centres: list[tuple[Centre, list[DirectoryEntry]]]

    @property
    def count(self) -> int:
        return sum(len(entries) for _centre, entries in self.centres)


_ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyy"
# PostgreSQL's lower() leaves non-ASCII letters alone under the C locale: map the capitals too.
_SQL_FROM = _ACCENTED + _ACCENTED.upper()
_SQL_TO = _PLAIN + _PLAIN


def fold(text: str) -> str:
    """Lower-case, accents off (the same folding as `_folded` does in SQL)."""
    return text.lower().translate(str.maketrans(_ACCENTED, _PLAIN))


def _folded(*fields: str) -> Func:
    """SQL: the fields joined by spaces, lower-cased, accents off (no PostgreSQL extension needed)."""
    parts: list[Any] = []
    for field in fields:
        parts.extend([F(field), Value(" ")])
    joined = Concat(*parts, output_field=CharField())
    return Translate(Lower(joined), Value(_SQL_FROM), Value(_SQL_TO))


def referent_search(
    queryset: QuerySet[Referent], *, text: str = "", specialty: str = "", centre_id: int | None = None
) -> QuerySet[Referent]:
    """Filter referents by words of their name, e-mail or centre (case and accents ignored), a specialty code and
    a centre."""
    words = fold(text).split()
    if words:
        queryset = queryset.annotate(
            _search=_folded("user__first_name", "user__last_name", "user__email", "centre__name", "centre__city")
        )
        for word in words:
            queryset = queryset.filter(_search__contains=word)
    if specialty:
        queryset = queryset.filter(specialty=specialty)
    if centre_id:
        queryset = queryset.filter(centre_id=centre_id)
    return queryset


def directory(
    *, on: datetime.date, text: str = "", specialty: str = "", centre_id: int | None = None
) -> list[DirectoryCategory]:
    """The directory by organ: each active category, its active referents grouped by centre (primaries first
    in each centre), flagged absent on `on`. With a search, categories without a match are left out.
    Three queries whatever the size."""
    searching = bool(text.strip() or specialty or centre_id)
    matching = referent_search(
        Referent.objects.filter(is_active=True, user__is_active=True),
        text=text,
        specialty=specialty,
        centre_id=centre_id,
    )
    coverages = (
        Coverage.objects.filter(referent__in=matching.values("pk"), category__is_active=True)
        .select_related("referent__user", "referent__centre")
        .order_by(
            "category_id", "referent__centre__name", "-rank", "referent__user__last_name", "referent__user__first_name"
        )
    )
    # "-rank" sorts "primary" before "backup".
    absent = absent_referent_ids(on)
    grouped: dict[int, dict[int, list[DirectoryEntry]]] = {}
    centres: dict[int, Centre] = {}
    for coverage in coverages:
        referent = coverage.referent
        centres[referent.centre_id] = referent.centre
        grouped.setdefault(coverage.category_id, {}).setdefault(referent.centre_id, []).append(
            DirectoryEntry(referent=referent, rank=coverage.rank, absent=referent.pk in absent)
        )
    result = []
    for category in OrganCategory.objects.filter(is_active=True):
        by_centre = grouped.get(category.pk, {})
        if searching and not by_centre:
            continue
        result.append(
            DirectoryCategory(
                category=category,
                centres=[(centres[centre_id], entries) for centre_id, entries in by_centre.items()],
            )
        )
    return result


def referent_for_page(pk: int) -> Referent:
    """A referent with what its page shows (coverages with their category; user and centre)."""
    from django.shortcuts import get_object_or_404

    queryset = Referent.objects.select_related("user", "centre").prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.select_related("category").order_by("-rank", "category"))
    )
    return get_object_or_404(queryset, pk=pk)


def absences_of(referent: Referent, *, since: datetime.date) -> QuerySet[Absence]:
    """The referent's absences still to come or under way on `since`."""
    return referent.absences.filter(end__gte=since).order_by("start")


def referents_for_management(
    *, text: str = "", specialty: str = "", centre_id: int | None = None, include_inactive: bool = True
) -> QuerySet[Referent]:
    queryset = Referent.objects.select_related("user", "centre").prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.select_related("category").order_by("-rank", "category"))
    )
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return referent_search(queryset, text=text, specialty=specialty, centre_id=centre_id)


@dataclass(frozen=True)
class CoverageCell:
    primaries: int = 0
    backups: int = 0
    absent: int = 0

    @property
    def total(self) -> int:
        return self.primaries + self.backups


@dataclass(frozen=True)
class CoverageRow:
    category: OrganCategory
    cells: list[CoverageCell]  # one per centre of the grid, same order
    availability: Availability  # on the meeting day

    @property
    def total(self) -> int:
        return sum(cell.total for cell in self.cells)


@dataclass(frozen=True)
class CoverageGrid:
    day: datetime.date
    centres: list[Centre]
    rows: list[CoverageRow]
    absences: list[Absence]  # absences of active referents on `day`

    @property
    def gaps(self) -> list[CoverageRow]:
        return [row for row in self.rows if row.availability.is_gap]


def coverage_grid(*, day: datetime.date) -> CoverageGrid:
    """Categories x centres: count of active referents (primary/backup), how many are absent on `day`, and
    for each category whether nobody is available that day (a gap). Constant number of queries."""
    categories = list(OrganCategory.objects.filter(is_active=True))
    coverages = list(
        Coverage.objects.filter(
            referent__is_active=True, referent__user__is_active=True, category__is_active=True
        ).select_related("referent__centre")
    )
    absent = absent_referent_ids(day)
    centres = sorted(
        {c.referent.centre for c in coverages}, key=lambda centre: (not centre.is_coordinating, centre.name)
    )
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for coverage in coverages:
        cell = counts.setdefault((coverage.category_id, coverage.referent.centre_id), {"p": 0, "b": 0, "a": 0})
        cell["p" if coverage.rank == Coverage.Rank.PRIMARY else "b"] += 1
        cell["a"] += coverage.referent_id in absent
    availability = referents_available(categories=categories, on=day)
    rows = []
    for category in categories:
        cells = []
        for centre in centres:
            found = counts.get((category.pk, centre.pk))
            cells.append(CoverageCell(found["p"], found["b"], found["a"]) if found else CoverageCell())
        rows.append(CoverageRow(category=category, cells=cells, availability=availability[category.pk]))
    absences = list(
        absent_on(day)
        .filter(referent__is_active=True)
        .select_related("referent__user", "referent__centre")
        .prefetch_related(Prefetch("referent__coverages", queryset=Coverage.objects.select_related("category")))
        .order_by("referent__user__last_name")
    )
    return CoverageGrid(day=day, centres=centres, rows=rows, absences=absences)


def export_rows() -> QuerySet[Referent]:
    """Every referent (inactive ones included, flagged) with what the CSV export writes."""
    return Referent.objects.select_related("user", "centre").prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.select_related("category").order_by("category"))
    )


@dataclass(frozen=True)
class GuidelinePanel:
    """One toxicity of a case and the guideline summaries for its organ and grade."""

    toxicity: Any
    guidelines: list[Guideline]


def guidelines_for(toxicities: Iterable[Any]) -> list[GuidelinePanel]:
    """For each toxicity (``grade`` and ``event.category``), the active guideline rows of its organ category whose
    grade range covers its grade, in one query (docs/domain.md#guidelines-beside-the-avis)."""
    toxicities = list(toxicities)
    category_ids = {tox.event.category_id for tox in toxicities}
    rows = list(Guideline.objects.filter(category_id__in=category_ids, is_active=True)) if category_ids else []
    return [
        GuidelinePanel(
            toxicity=tox,
            guidelines=[
                g for g in rows if g.category_id == tox.event.category_id and g.grade_min <= tox.grade <= g.grade_max
            ],
        )
        for tox in toxicities
    ]
