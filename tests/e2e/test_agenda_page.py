"""The agenda page in Chromium: an item's menu loads when it opens and moves the item to another meeting; a late
request is found by the search and added; the rare edits live on the "manage" page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.agenda.services import agenda_build
from meetings.models import AgendaItem
from tests.dates import meeting_start
from tests.e2e.actors import open_as, screenshots
from tests.factories.agenda import accepted_case
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import seed_taxonomy
from tests.helpers import totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def test_item_menu_moves_and_search_adds_a_late_request(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, axe_check: Any, sam: Any, password: str
) -> None:
    seed_taxonomy()
    meeting = MeetingFactory(starts_at=meeting_start(0))
    later = MeetingFactory(starts_at=meeting_start(1))
    now = timezone.now()
    for n in range(3):
        accepted_case(reference=f"TIGRE-2026-071{n}", grade=3 - n, submitted_at=now - dt.timedelta(days=3))
    agenda_build(meeting=meeting, by=sam)
    accepted_case(reference="TIGRE-2026-0799", patient__birth_name="Tardieu", submitted_at=now - dt.timedelta(hours=2))
    accepted_case(reference="TIGRE-2026-0798", patient__birth_name="Perrin", submitted_at=now - dt.timedelta(hours=3))
    totp_device(sam)

    sec = open_as(browser, browser_context_args, live_server.url, sam, password, axe_check)
    sec.goto(live_server.url + f"/reunions/{meeting.pk}/")
    expect(sec.locator("#agenda tbody tr")).to_have_count(3)

    # The menu of the second item: loaded when it opens, then the move to next week's meeting.
    sec.get_by_role("button", name="Autres actions pour TIGRE-2026-0711").click()
    select = sec.get_by_label("Déplacer à la réunion du")
    expect(select).to_be_visible()
    axe_check(sec, "agenda-item-menu")
    screenshots(sec, "agenda-item-menu")
    select.select_option(str(later.pk))
    sec.get_by_role("button", name="Déplacer", exact=True).click()
    expect(sec.locator("#agenda .alert-success")).to_contain_text("Demande déplacée à la RCP du")
    expect(sec.locator("#agenda tbody tr")).to_have_count(2)
    assert AgendaItem.objects.filter(meeting=later, case__reference="TIGRE-2026-0711").exists()

    # The late request: the waiting list appears when scrolled to, the search narrows it, then it is added.
    search = sec.get_by_label("Rechercher une demande acceptée ou soumise (référence ou nom du patient)")
    search.scroll_into_view_if_needed()
    expect(sec.locator("#add-candidates input[name=case]")).to_have_count(2)
    search.fill("tardieu")
    expect(sec.locator("#add-candidates input[name=case]")).to_have_count(1)
    expect(sec.locator("#add-candidates")).to_contain_text("Demandes trouvées pour « tardieu »")
    axe_check(sec, "agenda-add-search")
    screenshots(sec, "agenda-add-search")
    sec.locator("#add-candidates label", has_text="TIGRE-2026-0799").click()
    sec.get_by_role("button", name="Ajouter la demande choisie à l’ordre du jour").click()
    expect(sec.locator(".alert-success")).to_contain_text("TIGRE-2026-0799 ajoutée à l'ordre du jour")
    expect(sec.locator("#agenda tbody tr")).to_have_count(3)

    # Without the menu (a link opened on its own): the same actions on a page of their own.
    item = AgendaItem.objects.get(meeting=meeting, case__reference="TIGRE-2026-0710")
    sec.goto(live_server.url + f"/reunions/{meeting.pk}/ordre-du-jour/{item.pk}/actions/")
    expect(sec.get_by_role("heading", name="Déplacer ou retirer TIGRE-2026-0710")).to_be_visible()
    axe_check(sec, "agenda-item-actions-page")
    screenshots(sec, "agenda-item-actions-page")
    sec.get_by_role("link", name="Retour à l’ordre du jour").click()

    # Coordinators and rescheduling: the "manage" page.
    sec.get_by_role("link", name="Déplacer ou annuler la réunion").click()
    expect(sec.get_by_role("heading", name="Annuler ou déplacer la réunion")).to_be_visible()
    axe_check(sec, "meeting-manage")
    screenshots(sec, "meeting-manage")
    sec.context.close()
