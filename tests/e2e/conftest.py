"""Browser tests: Playwright drives the machine's Chromium against a live server on the PostgreSQL test database.

axe-core (vendored from the npm registry, tests/e2e/vendor/) runs on every page a journey visits; a serious or
critical violation fails the test. Screenshots of failing pages go to test-results/.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test itself are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    # Reduced motion: Bootstrap then drops its colour transitions, so axe never measures a colour mid-fade.
    return {
        "viewport": DESKTOP,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "accept_downloads": True,
        "reduced_motion": "reduce",
    }


class AxeViolations(AssertionError):
    pass


def run_axe(page: Any, label: str = "") -> list[dict[str, Any]]:
    """Run axe-core on the current page; return serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # evaluate() is not subject to the page's CSP, unlike a <script> tag
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [[n["target"], n.get("failureSummary", "")[-160:]] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe_check(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Call `axe_check(page, "label")` on each page visited; fails on serious/critical violations."""
    visited: list[str] = []

    def check(page: Any, label: str) -> None:
        visited.append(label)
        violations = run_axe(page, label)
        if violations:
            shot(page, f"axe-{label}")
            raise AxeViolations(f"{label} ({page.url}): {json.dumps(violations, ensure_ascii=False, indent=1)}")

    yield check


def shot(page: Any, label: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^a-zA-Z0-9_.-]+", "-", label)
    path = RESULTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in getattr(item, "funcargs", {}):
        page = item.funcargs["page"]
        try:
            for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(size)
                shot(page, f"FAILED-{item.name}-{name}")
        except Exception:  # the page may be closed already; the failure itself is what matters
            pass
