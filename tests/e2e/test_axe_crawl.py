"""The accessibility crawl: each demo role logs in and visits every page reachable from the navigation and, one
level down, one page of each kind linked from those pages (bounded); axe-core finds no serious or critical
violation on any of them (docs/architecture.md#tests)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.e2e.actors import open_as
from tests.e2e.conftest import RESULTS
from tigre.accounts.demo import DEMO_ACCOUNTS
from tigre.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "tigre-demo"
# Screenshots for review: test-results/home/, or the folder TIGRE_SHOTS_DIR names.
SHOTS = Path(os.environ.get("TIGRE_SHOTS_DIR") or RESULTS / "home")
# At most this many pages per role: the navigation, then one page of each kind linked from it.
MAX_PAGES = 40
# Not pages: downloads, exports, feeds, the logout form's target, the admin's own pages beyond its index.
SKIP = re.compile(
    r"(\.pdf|\.csv|\.ics|\.xml|\.json|/export|/telecharger|/pdf|/cerfa|/e2b|/calendrier/|deconnexion|/admin/.+|/dev/"
    r"|/fichier|/pieces-jointes/\d+|/i18n/)"
)

LINKS_JS = """(scope) => [...document.querySelectorAll(scope + ' a[href]')]
  .filter((a) => !a.target && !a.hasAttribute('download'))
  .map((a) => a.getAttribute('href'))"""


def _kind(path: str) -> str:
    """Pages of the same kind share a path once their ids are dropped: /demandes/12/ and /demandes/13/."""
    return re.sub(r"\d+", "N", path)


def _local_paths(hrefs: list[str]) -> list[str]:
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@pytest.fixture
def demo(db: Any) -> None:
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("email", [account[0] for account in DEMO_ACCOUNTS])
def test_every_page_a_role_reaches_has_no_serious_axe_violation(
    demo, email, browser, browser_context_args, live_server, axe_check
) -> None:
    user = User.objects.get(email=email)
    page = open_as(browser, browser_context_args, live_server.url, user, PASSWORD, axe_check)
    page.goto(live_server.url + "/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"home-{email.split('@')[0]}.png"), full_page=True)
    axe_check(page, f"{email}-home")

    navigation = _local_paths(page.evaluate(LINKS_JS, "header"))
    assert navigation, "no navigation"
    queue = list(dict.fromkeys(["/", *navigation]))
    seen_kinds = {_kind(p.split("?")[0]) for p in queue}
    visited: list[str] = []
    statuses: dict[str, int] = {}
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        response = page.goto(live_server.url + path)
        assert response is not None
        statuses[path] = response.status
        visited.append(path)
        if response.status != 200 or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        axe_check(page, f"{email}-{_kind(path)}")
        if path in navigation or path == "/":
            for link in _local_paths(page.evaluate(LINKS_JS, "main")):
                kind = _kind(link.split("?")[0])
                if kind not in seen_kinds:
                    seen_kinds.add(kind)
                    queue.append(link)
    errors = {p: s for p, s in statuses.items() if s >= 500}
    assert not errors, errors
    assert len(visited) > len(navigation), visited
