"""The request form on a 390 px phone: no sideways scrolling, every drug visible without a scroll box inside the page,
choices and text areas shown whole, lines numbered and a toxicity tied to its line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from cases.models import Case, Drug
from tests.e2e.actors import SHOTS, sideways_overflow, sign_in
from tests.e2e.conftest import PHONE
from tests.factories.cases import DrugFactory
from tests.factories.referents import seed_taxonomy

pytestmark = pytest.mark.django_db(transaction=True)

CATALOGUE = [
    ("nivolumab", Drug.Target.PD1, "L01FF01"),
    ("pembrolizumab", Drug.Target.PD1, "L01FF02"),
    ("cemiplimab", Drug.Target.PD1, "L01FF06"),
    ("dostarlimab", Drug.Target.PD1, "L01FF07"),
    ("durvalumab", Drug.Target.PDL1, "L01FF03"),
    ("avelumab", Drug.Target.PDL1, "L01FF04"),
    ("atezolizumab", Drug.Target.PDL1, "L01FF05"),
    ("ipilimumab", Drug.Target.CTLA4, "L01FX04"),
    ("trémélimumab", Drug.Target.CTLA4, ""),
    ("relatlimab", Drug.Target.LAG3, ""),
]

# Text wider than its select (cut), measured with the select's own font.
SELECT_CUT_JS = """(select) => {
  const style = getComputedStyle(select);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const text = select.options[select.selectedIndex].text;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return ctx.measureText(text).width > room;
}"""


def test_phone_form_shows_everything_and_ties_a_toxicity_to_its_line(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, axe_check: Any, alice: Any, password: str
) -> None:
    seed_taxonomy()
    for name, target, atc in CATALOGUE:
        DrugFactory(name=name, target=target, atc_code=atc)
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, alice, password)
    page.goto(live_server.url + "/demandes/nouvelle/")
    assert sideways_overflow(page) == []

    # Every drug is on the page itself: the checklist has no scroll of its own.
    drugs = page.locator("#line-row-0 .drug-choices")
    assert drugs.evaluate("(el) => el.scrollHeight <= el.clientHeight + 1")
    assert drugs.evaluate("(el) => getComputedStyle(el).overflowY") == "visible"
    for name, _target, _atc in CATALOGUE:
        expect(page.locator("#line-row-0").get_by_label(name, exact=True)).to_be_visible()

    # "Monothérapie" is shown whole.
    regimen = page.locator("#id_line-0-regimen")
    regimen.select_option(label="Monothérapie")
    assert not regimen.evaluate(SELECT_CUT_JS)

    # Lines numbered; a second line, then the toxicity tied to it.
    expect(page.locator("#line-row-0 legend")).to_have_text("Ligne 1")
    page.locator("#line-row-0").get_by_label("nivolumab", exact=True).check()
    page.locator("#id_line-0-start_date").fill("2026-03-01")
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(page.locator("#line-row-1 legend")).to_have_text("Ligne 2")
    page.locator("#line-row-1").get_by_label("atezolizumab", exact=True).check()
    page.locator("#id_line-1-start_date").fill("2026-07-01")
    page.locator("#id_tox-0-event").select_option(label="Colite")
    page.locator("#id_tox-0-grade").select_option("3")
    page.locator("#id_tox-0-onset_date").fill("2026-09-10")
    line_select = page.locator("#id_tox-0-line")
    expect(line_select.locator("option")).to_have_text(["—", "Ligne 1", "Ligne 2"])
    line_select.select_option(label="Ligne 2")

    # Text areas grow with the text instead of clipping it.
    question = page.locator("#id_case-question")
    question.fill(
        "Colite de grade 3 sous atézolizumab, corticorésistante après 72 heures de méthylprednisolone 2 mg/kg : "
        "faut-il introduire l'infliximab ou le védolizumab, et une reprise de l'immunothérapie est-elle "
        "envisageable après résolution complète des symptômes ?"
    )
    assert question.evaluate("(el) => el.scrollHeight <= el.clientHeight + 2")
    assert sideways_overflow(page) == []
    axe_check(page, "case-form-phone")
    page.screenshot(path=str(SHOTS / "form-phone.png"), full_page=True)

    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(page.locator(".alert-success").first).to_contain_text("Brouillon enregistré")
    case = Case.objects.get(requester=alice)
    second = case.lines.get(position=1)
    assert case.toxicities.get().line == second
    # Removing the first line renumbers what stays; the toxicity keeps its line.
    page.locator("#line-row-0").get_by_role("button", name="Retirer").click()
    expect(page.locator("#line-row-1 legend")).to_have_text("Ligne 1")
    expect(page.locator("#id_tox-0-line option:checked")).to_have_text("Ligne 1")
    context.close()
