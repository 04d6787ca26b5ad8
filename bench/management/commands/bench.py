"""`manage.py bench` (`make bench`): load the synthetic dataset if needed, measure the pages, the services and
the documents beside the floor view, then the throughput under load (gunicorn + wrk); print a table of the
targets and write bench/results.json."""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from bench import dataset
from bench.measure import Result
from bench.suite import (
    Plan,
    agenda_built,
    agenda_reset,
    next_meeting_cases,
    run_all,
    verified_client,
)
from cases.models import Case, CaseStatus
from tigre.celery import app

# name -> (target as written in the README, check(result, floor) -> met)
TARGETS: dict[str, tuple[str, Any]] = {
    "agenda_page": (
        "median <= 8x floor, <= 12 queries",
        lambda r, f: (r.ratio_to_floor or 0) <= 8 and (r.queries or 0) <= 12,
    ),
    "triage_queue": ("p95 < 100 ms", lambda r, f: r.p95_ms < 100),
    "triage_queue_search": ("p95 < 100 ms", lambda r, f: r.p95_ms < 100),
    "submission": ("median < 150 ms", lambda r, f: r.median_ms < 150),
    "agenda_build": ("median < 300 ms, queries independent of the case count", None),  # set below
    "agenda_pdf": ("median < 2 s, peak < 300 MB", lambda r, f: r.median_ms < 2000 and (r.peak_mb or 0) < 300),
    "fiche_pdf": ("median < 500 ms", lambda r, f: r.median_ms < 500),
    "activity_dashboard": (
        "median <= 10x floor, same queries for a year and a month",
        lambda r, f: (r.ratio_to_floor or 0) <= 10 and len(set(r.extra.get("queries_by_period", {}).values())) == 1,
    ),
}


class Command(BaseCommand):
    help = "Run the benchmark (PostgreSQL): dataset, measurements beside the floor view, throughput with wrk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tiny", action="store_true", help="The tiny dataset (smoke test).")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--runs", type=int, default=30, help="Timed runs per page (after the warm-up).")
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--pdf-runs", type=int, default=5)
        parser.add_argument("--reload", action="store_true", help="Load the dataset again even if present.")
        parser.add_argument("--no-load-test", action="store_true", help="Skip gunicorn + wrk.")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--wrk-seconds", type=int, default=20)
        parser.add_argument("--profile", default="", metavar="NAME", help="Profile one measurement (cProfile).")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "bench" / "results.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("axes").setLevel(logging.WARNING)  # one login line per client otherwise
        logging.getLogger("fontTools").setLevel(logging.WARNING)  # WeasyPrint's font subsetting, a page per PDF
        size = dataset.Size.tiny() if options["tiny"] else dataset.Size()
        seed = options["seed"]
        # 60 requests on one meeting: one-minute slots give the meeting room for them all.
        with override_settings(TIGRE={**settings.TIGRE, "SLOT_MINUTES": 1}):
            report = self._run(size, seed, options)
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Written {output}"))

    def log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _run(self, size: dataset.Size, seed: int, options: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        load_seconds = None
        if options["reload"] or not dataset.is_loaded(size, seed):
            self.log(f"Loading the dataset ({size.cases} requests, seed {seed})…")
            t0 = time.perf_counter()
            data = dataset.load(size=size, seed=seed)
            load_seconds = round(time.perf_counter() - t0, 1)
            self.log(f"  loaded in {load_seconds} s")
        else:
            self.log(f"Dataset already loaded ({size.cases} requests, seed {seed}).")
            data = dataset.existing(size=size, seed=seed)
        plan = Plan(
            runs=options["runs"], pdf_runs=options["pdf_runs"], warmup=options["warmup"], profile=options["profile"]
        )
        self.log(f"Measuring ({plan.runs} runs each, {plan.warmup} warm-up runs)…")
        results = run_all(data, plan, log=self.log)
        by_name = {r.name: r for r in results}
        self._build_independence(data, by_name["agenda_build"])
        self._judge(by_name)
        throughput: dict[str, Any] = {}
        if not options["no_load_test"]:
            try:
                throughput = self._throughput(data, options)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:  # the other figures still count
                self.log(self.style.ERROR(f"Throughput not measured: {exc}"))
                throughput = {"error": str(exc)}
        self._purge_broker()
        self._print_table(results, throughput)
        return {
            "generated_at": timezone.now().isoformat(),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average": list(os.getloadavg()),
                "postgresql": getattr(connection, "pg_version", None),
            },
            "dataset": {
                "seed": seed,
                "size": size.__dict__,
                "load_seconds": load_seconds,
                "cases_in_database": _count("cases_case"),
            },
            "runs": plan.runs,
            "results": {r.name: r.as_dict() for r in results},
            "throughput": throughput,
            "total_seconds": round(time.perf_counter() - started, 1),
        }

    def _build_independence(self, data: dataset.Dataset, build: Result) -> None:
        """The build's query count with half the requests: the same count means no query per case."""
        half = len(next_meeting_cases(data)) // 2
        counts = {}
        for n in (half, len(next_meeting_cases(data))):
            agenda_reset(data)
            Case.objects.filter(pk__in=next_meeting_cases(data)[n:]).update(status=CaseStatus.SUBMITTED)
            with CaptureQueriesContext(connection) as ctx:
                agenda_built(data)
            counts[n] = len(ctx.captured_queries)
        agenda_reset(data)
        agenda_built(data)
        build.extra["queries_by_case_count"] = counts
        build.extra["independent"] = len(set(counts.values())) == 1

    def _judge(self, by_name: dict[str, Result]) -> None:
        floor = by_name["floor"]
        for result in by_name.values():
            # Against the floor timed in alternation with it when there is one, else the floor's own run.
            denominator = result.floor_ms or floor.median_ms
            result.ratio_to_floor = round(result.median_ms / denominator, 2) if denominator else None
        for name, (text, check) in TARGETS.items():
            result = by_name[name]
            result.target = text
            if check is not None:
                result.met = bool(check(result, floor))
        build = by_name["agenda_build"]
        build.met = build.median_ms < 300 and bool(build.extra.get("independent"))
        reminders = by_name["reminder_fan_out"]
        reminders.note = f"{reminders.extra.get('recipients')} referents, rows written and delivered"

    # --- throughput -------------------------------------------------------------------------------------------

    def _throughput(self, data: dataset.Dataset, options: dict[str, Any]) -> dict[str, Any]:
        wrk = shutil.which("wrk")
        if wrk is None:
            self.log("wrk not found: throughput skipped (make bench installs it).")
            return {"skipped": "wrk not installed"}
        client = verified_client(data.secretariat)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        port = options["port"]
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "bench.settings")}
        self.log(f"Throughput: gunicorn (2 workers) on {base}, wrk -t2 -c8 -d{options['wrk_seconds']}s…")
        server = subprocess.Popen(  # noqa: S603 (fixed command)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tigre.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        out: dict[str, Any] = {"workers": 2, "threads": 2, "connections": 8, "seconds": options["wrk_seconds"]}
        try:
            urls = {
                "floor": f"{base}/bench/floor/",
                "agenda_page": base + reverse("meetings:detail", args=[data.next_meeting.pk]),
            }
            self._wait_ready(urls["floor"], cookie, server)
            for name, url in urls.items():
                out[name] = self._wrk(wrk, url, cookie, options["wrk_seconds"])
                self.log(f"  {name}: {out[name]['requests_per_second']} requests/s")
            floor_rps = out["floor"]["requests_per_second"]
            out["agenda_to_floor"] = (
                round(out["agenda_page"]["requests_per_second"] / floor_rps, 3) if floor_rps else None
            )
        finally:
            _stop(server)
        return out

    def _wait_ready(self, url: str, cookie: str, server: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped at start")
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (our own local URL)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    body = response.read()
                    if response.status == 200 and body.startswith(b"ok"):
                        return
                    raise RuntimeError(f"floor view answered {response.status}: {body[:80]!r}")
            except (urllib.error.URLError, OSError):  # not listening yet, or a worker still booting
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def _wrk(self, wrk: str, url: str, cookie: str, seconds: int) -> dict[str, Any]:
        completed = subprocess.run(  # noqa: S603 (fixed command)
            [wrk, "-t2", "-c8", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
        text = completed.stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        total = re.search(r"(\d+) requests in", text)
        p50 = re.search(r"50%\s+([\d.]+\w+)", text)
        p99 = re.search(r"99%\s+([\d.]+\w+)", text)
        return {
            "requests_per_second": float(rps.group(1)) if rps else 0.0,
            "requests": int(total.group(1)) if total else 0,
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "latency_p50": p50.group(1) if p50 else "",
            "latency_p99": p99.group(1) if p99 else "",
        }

    def _purge_broker(self) -> None:
        """The bench's own Redis database holds the delivery messages no worker took: drop them."""
        if not str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".bench"):
            return
        try:
            app.control.purge()
        except Exception as exc:  # the figures are written anyway
            self.log(f"  (broker not purged: {exc.__class__.__name__})")

    # --- table ------------------------------------------------------------------------------------------------

    def _print_table(self, results: list[Result], throughput: dict[str, Any]) -> None:
        self.log("")
        for line in table_lines(results, throughput):
            self.log(line)


def table_lines(results: list[Result], throughput: dict[str, Any]) -> list[str]:
    head = "| Measurement | Median (ms) | p95 (ms) | Floor (ms) | x floor | Queries | Peak MB | Target | Met |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        queries = r.queries if r.queries is not None else ""
        if r.name == "agenda_build" and r.extra.get("queries_by_case_count"):
            queries = " / ".join(f"{q} ({n} cases)" for n, q in r.extra["queries_by_case_count"].items())
        lines.append(
            f"| {r.name} | {r.median_ms} | {r.p95_ms} | {r.floor_ms or ''} | {r.ratio_to_floor or ''} | {queries} | "
            f"{r.peak_mb or ''} | {r.target or r.note} | {met} |"
        )
    lines.append("")
    lines.append("Floor: the floor view's median timed in alternation with each measurement; x floor divides by it.")
    if throughput.get("floor"):
        lines.append("")
        lines.append(
            f"Throughput (gunicorn 2 workers, wrk -t2 -c8 -d{throughput['seconds']}s): floor "
            f"{throughput['floor']['requests_per_second']} req/s, agenda page "
            f"{throughput['agenda_page']['requests_per_second']} req/s, ratio {throughput['agenda_to_floor']}"
        )
    return lines


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (fixed table name)
        return int(cursor.fetchone()[0])


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (its own process group: the master and its workers), whatever happened."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        server.wait(timeout=5)
