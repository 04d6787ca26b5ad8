"""The agenda page without friction, in Chromium: a slow waiting list never replaces the late-request search already
shown, and the choice stays; the rebuild says what it left out and why."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import AgendaItem
from tests.dates import at, day, meeting_start
from tests.e2e.actors import SHOTS, open_as
from tests.factories.agenda import accepted_case
from tests.factories.documents import build_meeting, validate_meeting
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import seed_taxonomy
from tests.helpers import totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def test_slow_waiting_list_does_not_replace_the_search(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, sam: Any, password: str
) -> None:
    seed_taxonomy()
    meeting = MeetingFactory(starts_at=meeting_start(0))
    now = timezone.now()
    accepted_case(reference="TIGRE-2026-0799", patient__birth_name="Tardieu", submitted_at=now - dt.timedelta(hours=2))
    accepted_case(reference="TIGRE-2026-0798", patient__birth_name="Perrin", submitted_at=now - dt.timedelta(hours=3))
    totp_device(sam)
    sec = open_as(browser, browser_context_args, live_server.url, sam, password)
    held: list[Any] = []

    def hold_waiting_list(route: Any) -> None:
        if "q=" in route.request.url:
            route.continue_()
        else:
            held.append(route)  # answered later: a slow waiting list

    sec.route("**/ordre-du-jour/candidats/**", hold_waiting_list)
    sec.goto(live_server.url + f"/reunions/{meeting.pk}/")
    search = sec.get_by_label("Rechercher une demande acceptée ou soumise (référence ou nom du patient)")
    search.scroll_into_view_if_needed()
    sec.wait_for_timeout(300)
    assert held, "the waiting list was asked for when the search came into view"
    search.fill("tardieu")
    expect(sec.locator("#add-candidates")).to_contain_text("Demandes trouvées pour « tardieu »")
    sec.locator("#add-candidates label", has_text="TIGRE-2026-0799").click()
    # The slow waiting list answers now.
    for route in held:
        with contextlib.suppress(Exception):  # aborted by the page: nothing to answer
            route.continue_()
    sec.wait_for_timeout(800)
    expect(sec.locator("#add-candidates")).to_contain_text("Demandes trouvées pour « tardieu »")
    expect(sec.locator("#add-candidates input[name=case]")).to_have_count(1)
    expect(sec.locator("#add-candidates input[value]").first).to_be_checked()
    # The search narrowed again then widened: the choice is still there.
    search.fill("")
    search.fill("TIGRE-2026-079")
    expect(sec.locator("#add-candidates input[name=case]")).to_have_count(2)
    expect(sec.locator("#add-candidates label", has_text="TIGRE-2026-0799").locator("input")).to_be_checked()
    sec.get_by_role("button", name="Ajouter la demande choisie à l’ordre du jour").click()
    expect(sec.locator(".alert-success")).to_contain_text("TIGRE-2026-0799 ajoutée à l'ordre du jour")


def test_rebuild_reports_what_it_left_out_and_carries_it_over(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, axe_check: Any, sam: Any, password: str
) -> None:
    seed_taxonomy()
    meeting = MeetingFactory(starts_at=meeting_start(0))
    following = MeetingFactory(starts_at=meeting_start(1))
    accepted_case(reference="TIGRE-2026-0801", submitted_at=at(day(-3), 10))
    accepted_case(reference="TIGRE-2026-0802", patient__birth_name="Tardif", submitted_at=at(day(-1), 8))
    totp_device(sam)
    sec = open_as(browser, browser_context_args, live_server.url, sam, password, axe_check)
    sec.goto(live_server.url + f"/reunions/{meeting.pk}/")
    sec.get_by_role("button", name="Construire l’ordre du jour").click()
    expect(sec.locator(".alert-warning").first).to_contain_text("1 demande acceptée laissée de côté")
    report = sec.locator("#build-report")
    expect(report).to_contain_text("TIGRE-2026-0802")
    expect(report).to_contain_text("après la date limite")
    axe_check(sec, "agenda-build-report")
    sec.screenshot(path=str(SHOTS / "agenda-build-report.png"), full_page=True)
    report.get_by_role("button", name="Reporter TIGRE-2026-0802 à la RCP du").click()
    expect(sec.locator(".alert-success").first).to_contain_text("TIGRE-2026-0802 reportée à la RCP du")
    expect(sec.locator("#build-report")).to_contain_text("Inscrite : RCP du")
    assert AgendaItem.objects.filter(meeting=following, case__reference="TIGRE-2026-0802").exists()


def test_validated_session_page_has_its_documents_in_new_tabs(
    browser: Any,
    browser_context_args: dict[str, Any],
    live_server: Any,
    axe_check: Any,
    cora: Any,
    password: str,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_taxonomy()
    meeting = build_meeting(3, coordinators=[cora], with_avis=True, drafted_by=cora)
    validate_meeting(meeting, by=cora)
    totp_device(cora)
    page = open_as(browser, browser_context_args, live_server.url, cora, password)
    page.goto(live_server.url + f"/reunions/{meeting.pk}/seance/")
    panel = page.locator(".documents-panel")
    expect(panel.get_by_role("link", name=re.compile("Ordre du jour"))).to_be_visible()
    panel.locator("summary").click()
    fiches = panel.locator(".documents-fiches a")
    expect(fiches).to_have_count(3)
    for link in panel.locator("a").all():
        assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    axe_check(page, "session-documents")
    page.screenshot(path=str(SHOTS / "session-documents.png"), full_page=False)
    with page.context.expect_page() as opened:
        fiches.first.click()
    assert opened.value.url.endswith("/fiche-rcp.pdf") and page.url.endswith("/seance/")
