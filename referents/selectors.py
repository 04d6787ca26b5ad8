"""Every non-trivial read of the directory. `referents_available` is THE way the rest of the app chooses
referents (agenda builder, urgent alerts, quorum checks): nothing else queries coverages directly."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Absence, Centre, Coverage, OrganCategory, Referent


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
