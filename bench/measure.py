"""Measuring helpers: repeated timings (median, p95), SQL query counts, peak memory of a child process."""

from __future__ import annotations

import cProfile
import io
import multiprocessing
import pstats
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    runs: int
    queries: int | None = None
    # The floor view's median timed in alternation with this measurement (same machine state, run by run).
    floor_ms: float | None = None
    ratio_to_floor: float | None = None
    peak_mb: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(
    name: str,
    fn: Callable[[], Any],
    *,
    runs: int,
    warmup: int = 2,
    setup: Callable[[], Any] | None = None,
    check: Callable[[Any], None] | None = None,
    paired: Callable[[], Any] | None = None,
    profile: bool = False,
) -> Result:
    """Time `fn` `runs` times (after `warmup` runs); count the queries of one run; `check` validates a result.

    ``paired`` (the floor view) is timed just before each run of ``fn``: its median, taken under the same machine
    state run by run, is the ratio's denominator (a machine that slows down during the bench slows both)."""
    for _ in range(warmup):
        if setup:
            setup()
        out = fn()
        if check:
            check(out)
    if setup:
        setup()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    samples, floor = [], []
    profiler = cProfile.Profile() if profile else None
    for _ in range(runs):
        if paired:
            start = time.perf_counter()
            paired()
            floor.append((time.perf_counter() - start) * 1000)
        if setup:
            setup()
        reset_queries()
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - start) * 1000)
        if profiler:
            profiler.disable()
        if check:  # every run is checked, outside the timed part
            check(out)
    result = Result(
        name=name,
        median_ms=round(statistics.median(samples), 2),
        p95_ms=round(percentile(samples, 0.95), 2),
        runs=runs,
        queries=queries,
        floor_ms=round(statistics.median(floor), 2) if floor else None,
    )
    if profiler:
        out_text = io.StringIO()
        pstats.Stats(profiler, stream=out_text).sort_stats("cumulative").print_stats(40)
        result.extra["profile"] = out_text.getvalue()
        result.note = "profiled: its timings include cProfile's overhead"
    return result


_inherited: list[Any] = []


def _child(fn: Callable[[], Any], queue: Any) -> None:
    from django.db import connections

    # Never use (nor close: that would end the parent's session) the parent's socket: keep the inherited
    # connection objects alive, unused, and let Django open fresh ones.
    _inherited.extend(c.connection for c in connections.all(initialized_only=True) if c.connection is not None)
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    start = time.perf_counter()
    try:
        fn()
        error = ""
    except Exception as exc:  # reported to the parent, which fails the measurement
        error = repr(exc)
    elapsed = (time.perf_counter() - start) * 1000
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, peak_kb, error))


def peak_memory_mb(fn: Callable[[], Any]) -> float:
    """Run `fn` in a forked child and return its peak resident memory (MB), whole process included.

    The child sees only committed data (its own database connection)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, queue))
    proc.start()
    _elapsed, peak_kb, error = queue.get(timeout=600)
    proc.join()
    if error:
        raise RuntimeError(f"measurement failed in the child process: {error}")
    return round(peak_kb / 1024, 1)
