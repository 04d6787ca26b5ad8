"""Percentiles aggregated by the database (PostgreSQL's ``percentile_cont``), with a Python fallback elsewhere.

``percentile_cont(f) WITHIN GROUP (ORDER BY x)`` interpolates linearly between the two nearest values, ignores
NULLs and returns NULL on no row; it works on numbers and on intervals (durations). The development database
(SQLite, ``make run``) has no such function: there the same figure is computed in Python from the values, with the
same interpolation, in one more query per measured expression (still a fixed number of queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Aggregate, DurationField, Expression, FloatField, QuerySet


class Percentile(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`` (PostgreSQL)."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile's fraction lies between 0 and 1")
        # The fraction is a constant of the code, never user input: written as a literal.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def _resolve_output_field(self) -> Any:
        source = self.get_source_expressions()[0]
        field = getattr(source, "output_field", None)
        return DurationField() if isinstance(field, DurationField) else FloatField()


def interpolate(values: Sequence[Any], fraction: float) -> Any:
    """What ``percentile_cont`` answers for ``values`` (None when there is none)."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    weight = position - low
    lo, hi = ordered[low], ordered[high]
    if isinstance(lo, dt.timedelta):
        return lo + (hi - lo) * weight
    return lo + (hi - lo) * weight


def aggregate(
    queryset: QuerySet[Any],
    *,
    plain: dict[str, Any],
    percentiles: dict[str, tuple[str, float]],
    expressions: dict[str, Expression],
) -> dict[str, Any]:
    """One aggregate over ``queryset``: the ``plain`` aggregates, and each ``percentiles`` entry
    ``name: (expression name, fraction)`` over the annotated ``expressions``.

    PostgreSQL computes everything in one query. Another database runs the plain aggregate, then reads each
    measured expression's values once and interpolates in Python.
    """
    annotated = queryset.annotate(**expressions) if expressions else queryset
    if connection.vendor == "postgresql":
        extra = {name: Percentile(expr_name, fraction) for name, (expr_name, fraction) in percentiles.items()}
        return annotated.aggregate(**plain, **extra)
    result = annotated.aggregate(**plain) if plain else {}
    values: dict[str, list[Any]] = {}
    for expr_name in {expr_name for expr_name, _fraction in percentiles.values()}:
        values[expr_name] = list(annotated.values_list(expr_name, flat=True))
    for name, (expr_name, fraction) in percentiles.items():
        result[name] = interpolate(values[expr_name], fraction)
    return result
