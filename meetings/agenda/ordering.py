"""The agenda's order: who comes first, how many fit, where the items placed by hand stay, which items a drag and
drop really moved, each item's slot. Plain rules on requests and items already read: no query, no write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from cases.models import Case, Urgency
from meetings.models import AgendaItem, Meeting


def slot_minutes() -> int:
    return int(settings.TIGRE["SLOT_MINUTES"])


def capacity_of(meeting: Meeting) -> int:
    """How many slots fit in the meeting (duration / slot)."""
    minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return max(minutes // slot_minutes(), 0)


def kind_for(case: Case) -> str:
    """The item a request makes: an urgent opinion's ratification, an urgent request, or a standard one."""
    if case.urgent_opinion_at is not None:
        return AgendaItem.Kind.URGENT_RATIFICATION
    if case.urgency == Urgency.URGENT:
        return AgendaItem.Kind.URGENT
    return AgendaItem.Kind.STANDARD


KIND_RANK: dict[str, int] = {
    AgendaItem.Kind.URGENT_RATIFICATION: 0,
    AgendaItem.Kind.URGENT: 1,
    AgendaItem.Kind.STANDARD: 2,
}
_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def priority(case: Case, kind: str | None = None) -> tuple[int, int, dt.datetime, int]:
    """Urgent ratifications, then urgent cases, then highest grade (desc), then submission time, then id."""
    return (
        KIND_RANK[kind or kind_for(case)],
        -(case.highest_grade or 0),
        case.submitted_at or _FAR_FUTURE,
        case.pk,
    )


def layout(meeting: Meeting, items: Sequence[AgendaItem]) -> None:
    """Number the items 0..n-1 in the order given and give each its slot from the meeting's start (not saved)."""
    step = slot_minutes()
    for index, item in enumerate(items):
        item.position = index
        item.duration_minutes = step
        item.slot_start = meeting.starts_at + dt.timedelta(minutes=step * index)


def merge_placed(manual: list[AgendaItem], auto: list[Any]) -> list[Any]:
    """Manual items keep their index; the others fill the free places in priority order. Deterministic."""
    total = len(manual) + len(auto)
    places: list[Any] = [None] * total
    for item in sorted(manual, key=lambda i: (i.position, i.pk)):
        index = min(item.position, total - 1)
        while places[index] is not None:
            index = (index + 1) % total
        places[index] = item
    rest = iter(auto)
    return [p if p is not None else next(rest) for p in places]


def moved_items(old_positions: Sequence[int], ids: Sequence[Any]) -> list[Any]:
    """The items a new order really moved: those outside the longest run kept in the old relative order.

    Dragging one item from 7th to 1st shifts six others by one place, but only that one was placed by hand.
    """
    # Longest increasing subsequence of the old positions (patience sorting), keeping back-pointers.
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(old_positions)
    for n, value in enumerate(old_positions):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if tails[mid] < value:
                lo = mid + 1
            else:
                hi = mid
        if lo > 0:
            parent[n] = tail_index[lo - 1]
        if lo == len(tails):
            tails.append(value)
            tail_index.append(n)
        else:
            tails[lo] = value
            tail_index[lo] = n
    kept: set[int] = set()
    n = tail_index[-1] if tail_index else -1
    while n != -1:
        kept.add(n)
        n = parent[n]
    return [ids[n] for n in range(len(ids)) if n not in kept]
