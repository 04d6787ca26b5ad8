"""The CRPV's journey on the demo data (issue 19): its meetings on *Mes réunions* instead of "Accès refusé", a
declaration sheet it can complete (the declarer's RPPS, an unknown batch), axe-core on each page; screenshots
for review (test-results/home/)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.pharmacovigilance.models import PvFollowUp, PvStatus
from tests.e2e.actors import open_as
from tests.e2e.conftest import RESULTS
from tigre.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

# Screenshots for review: test-results/home/, or the folder TIGRE_SHOTS_DIR names.
SHOTS = Path(os.environ.get("TIGRE_SHOTS_DIR") or RESULTS / "home")


def test_the_crpv_sees_its_meetings_and_completes_a_sheet(browser, browser_context_args, live_server, axe_check):
    call_command("load_demo", stdout=io.StringIO())
    crpv = User.objects.get(email="crpv@demo.tigre")
    page = open_as(browser, browser_context_args, live_server.url, crpv, "tigre-demo", axe_check)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.get_by_role("link", name="Mes réunions").first.click()
    page.wait_for_load_state()
    assert "Accès refusé" not in page.content()
    assert page.locator("h1").inner_text() == "Mes réunions"
    axe_check(page, "crpv-my-meetings")
    page.screenshot(path=str(SHOTS / "crpv-my-meetings.png"), full_page=True)

    follow_up = PvFollowUp.objects.exclude(status=PvStatus.DECLARED).order_by("pk").first()
    assert follow_up is not None
    page.goto(f"{live_server.url}/pharmacovigilance/effets/{follow_up.pk}/")
    axe_check(page, "crpv-sheet")
    page.screenshot(path=str(SHOTS / "crpv-sheet.png"), full_page=True)
    page.goto(f"{live_server.url}/pharmacovigilance/effets/{follow_up.pk}/completer/")
    axe_check(page, "crpv-sheet-edit")
    page.screenshot(path=str(SHOTS / "crpv-sheet-edit.png"), full_page=True)
    assert page.get_by_label("Lot inconnu").count() >= 1
