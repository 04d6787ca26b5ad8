"""The activity dashboard in Chromium: a coordinator reads the delays and the postponement rate, asks for the
period's report (htmx), watches it being made and downloads the PDF and the CSV; accessible (axe), nothing cut or
scrolling sideways on a desktop or a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from meetings.models import AgendaItem
from meetings.statistics.models import ActivityReport
from meetings.statistics.services import report_generate
from tests.e2e.actors import open_as, screenshots
from tests.helpers import totp_device
from tests.meetings.statistics.conftest import item, meeting, present, request

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_reads_the_figures_and_downloads_the_report(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, axe_check: Any, cora: Any, password: str
) -> None:
    base = live_server.url
    held = meeting(dt.date(2026, 10, 14))
    for days in (3, 5, 9):
        item(held, request(held.starts_at - dt.timedelta(days=days)))
    item(held, request(held.starts_at - dt.timedelta(days=4)), AgendaItem.Outcome.POSTPONED)
    present(held, "cardiology", "neurology", "oncology")
    totp_device(cora)

    page = open_as(browser, browser_context_args, base, cora, password, axe_check)
    page.goto(base + "/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("button", name=cora.display_name).click()  # the user menu holds "Activité"
    nav.get_by_role("link", name="Activité").click()
    expect(page.get_by_role("heading", name="Activité de la RCP")).to_be_visible()
    # Choose October 2026: only the month's fields show.
    page.get_by_label("Période", exact=True).select_option("month")
    expect(page.get_by_label("Trimestre", exact=True)).to_be_hidden()
    page.get_by_label("Année", exact=True).fill("2026")
    page.get_by_label("Mois", exact=True).select_option("10")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("h1")).to_contain_text("octobre 2026")
    expect(page.locator('.stat-headline [data-figure="delay_discussion_median"]')).to_have_text("5,0 j")
    expect(page.locator('.stat-headline [data-figure="postponed_share"]')).to_have_text("25,0 %")
    axe_check(page, "activity")
    screenshots(page, "activity")

    page.get_by_role("button", name="Préparer le rapport (octobre 2026)").click()
    expect(page.locator("#reports-panel")).to_contain_text("En attente du traitement")
    report = ActivityReport.objects.get()
    report_generate(report_id=report.pk)  # what the worker does (a real worker makes it in test_worker.py)
    pdf_link = page.locator("#reports-panel").get_by_role("link", name="PDF")
    expect(pdf_link).to_be_visible(timeout=10_000)  # the panel polls every 2 s
    axe_check(page, "activity-report-ready")
    pdf = page.context.request.get(base + pdf_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
    csv_link = page.locator("#reports-panel").get_by_role("link", name="CSV")
    table = page.context.request.get(base + csv_link.get_attribute("href"))
    assert table.status == 200 and ";Taux de report;;25,0;%;;1;4;" in table.body().decode("utf-8-sig")
