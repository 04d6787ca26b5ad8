"""Journeys 1 and 2 in Chromium: a clinician writes and submits a request (rows added and removed with htmx, a PDF
attached, the TAG suggestion, a validation error fixed); the secretariat asks for information, the clinician
answers, the secretariat accepts, builds the agenda, reorders it with the keyboard and publishes it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseStatus, Drug
from meetings.models import AgendaItem, Meeting
from tests.e2e.actors import open_as, screenshots, sign_in, tiny_pdf
from tests.factories.cases import DrugFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import seed_taxonomy
from tests.helpers import totp_device

pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def catalogue(db: Any) -> dict[str, Any]:
    """The taxonomy (a transactional test elsewhere may have emptied it) and two drugs."""
    seed_taxonomy()
    return {
        "pembro": DrugFactory(name="pembrolizumab", target=Drug.Target.PD1, atc_code="L01FF02"),
        "ipi": DrugFactory(name="ipilimumab", target=Drug.Target.CTLA4, atc_code="L01FX04"),
    }


def _fill_request(page: Any, catalogue: dict[str, Any]) -> None:
    page.locator("#id_patient-birth_name").fill("MARTIN")
    page.locator("#id_patient-first_names").fill("Jeanne")
    page.get_by_label("Femme", exact=True).check()
    page.locator("#id_patient-birth_date").fill("1958-04-12")
    page.locator("#id_case-primary_site_label").fill("Poumon")
    page.locator("#id_case-primary_site").fill("C34")
    # Line 0: a combination of two drugs.
    line = page.locator("#line-row-0")
    line.get_by_label("pembrolizumab").check()
    line.get_by_label("ipilimumab").check()
    page.locator("#id_line-0-regimen").select_option("ici_ici")
    page.locator("#id_line-0-setting").select_option("metastatic")
    page.locator("#id_line-0-start_date").fill("2026-06-01")
    # A second line added then removed (htmx row, then the page's own script).
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(page.locator("#line-row-1")).to_be_visible()
    expect(page.locator("#id_line-TOTAL_FORMS")).to_have_value("2")
    page.locator("#line-row-1").get_by_role("button", name="Retirer").click()
    expect(page.locator("#line-row-1")).to_have_count(0)
    # Toxicity 0: colitis grade 2, no TAG suggestion yet.
    page.locator("#id_tox-0-event").select_option(label="Colite")
    page.locator("#id_tox-0-grade").select_option("2")
    page.locator("#id_tox-0-onset_date").fill("2026-11-10")
    # Toxicity 1: hepatitis grade 3, the TAG suggestion appears.
    page.get_by_role("button", name="Ajouter une toxicité").click()
    expect(page.locator("#tox-row-1")).to_be_visible()
    page.locator("#id_tox-1-event").select_option(label="Hépatite immuno-induite")
    page.locator("#id_tox-1-onset_date").fill("2026-11-20")
    page.locator("#id_tox-1-grade").select_option("3")
    tag = page.locator("#tag-panel")
    expect(tag).to_contain_text("Urgence suggérée (TAG)")
    expect(tag).to_contain_text("Hépatite immuno-induite de grade 3")
    # A third toxicity added by mistake and removed.
    page.get_by_role("button", name="Ajouter une toxicité").click()
    expect(page.locator("#tox-row-2")).to_be_visible()
    page.locator("#tox-row-2").get_by_role("button", name="Retirer").click()
    expect(page.locator("#tox-row-2")).to_have_count(0)
    page.get_by_label("Prise en charge complexe").check()
    page.locator("#id_case-patient_informed_0").check()  # "Oui": the patient knows the case goes to the board


def test_clinician_submits_then_secretariat_triages_builds_and_publishes(
    page: Any,
    browser: Any,
    browser_context_args: dict[str, Any],
    live_server: Any,
    axe_check: Any,
    catalogue: dict[str, Any],
    alice: Any,
    sam: Any,
    password: str,
    tmp_path: Any,
) -> None:
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    # An accepted request already waiting, and next week's meeting.
    waiting = SubmittedCaseFactory(
        status=CaseStatus.ACCEPTED,
        reference="TIGRE-2026-0900",  # clear of the numbers the real submission draws
        submitted_at=timezone.now() - dt.timedelta(days=2),
        requester__email="paul@chu.test",
    )
    ToxicityFactory(case=waiting, grade=2)
    day = (timezone.now() + dt.timedelta(days=8)).astimezone(PARIS).date()
    meeting = MeetingFactory(starts_at=dt.datetime.combine(day, dt.time(17, 0), tzinfo=PARIS))
    totp_device(sam)

    # --- 1. The clinician writes the request -------------------------------------------------------------------
    sign_in(page, base, alice, password)
    page.goto(base + "/demandes/nouvelle/")
    axe_check(page, "case-form")
    _fill_request(page, catalogue)
    axe_check(page, "case-form-filled")
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(page.locator(".alert-success, [role=alert], [role=status]").first).to_contain_text("Brouillon enregistré")
    case = Case.objects.get(requester=alice)
    assert "/modifier/" in page.url
    assert case.status == CaseStatus.DRAFT and case.toxicities.count() == 2 and case.lines.count() == 1
    assert sorted(case.lines.get().drugs.values_list("name", flat=True)) == ["ipilimumab", "pembrolizumab"]

    # The PDF, attached to the saved draft.
    pdf = tiny_pdf(tmp_path / "cr-consultation.pdf")
    page.locator("#id_attachment_file").set_input_files(str(pdf))
    page.get_by_role("button", name="Joindre").click()
    expect(page.locator("#attachments-panel")).to_contain_text("cr-consultation.pdf")
    assert case.attachments.get().original_name == "cr-consultation.pdf"

    # Submit with the question empty: the French message, then fixed.
    page.locator("#id_case-question").fill("")
    page.get_by_role("button", name=re.compile("Soumettre")).click()
    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")  # announced by screen readers
    expect(summary).to_contain_text("La question posée à la RCP est obligatoire.")
    expect(
        page.locator("#id_case-question ~ .invalid-feedback, .missing-field .invalid-feedback").first
    ).to_be_visible()
    axe_check(page, "case-form-errors")
    screenshots(page, "case-form-errors")
    page.locator("#id_case-question").fill("Faut-il arrêter définitivement l'association, et quelle corticothérapie ?")
    page.get_by_role("button", name=re.compile("Soumettre")).click()
    expect(page.get_by_text(re.compile(r"Demande TIGRE-\S+ soumise"))).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.reference
    assert page.url.rstrip("/").endswith(f"/demandes/{case.pk}")
    axe_check(page, "case-detail")
    screenshots(page, "case-detail")

    # --- 2. The secretariat asks for information ---------------------------------------------------------------
    sec = open_as(browser, browser_context_args, base, sam, password, axe_check)
    sec.goto(base + "/demandes/tri/")
    axe_check(sec, "triage")
    screenshots(sec, "triage")
    row = sec.locator("tr", has_text=case.reference)
    row.get_by_role("button", name=f"Plus d’actions pour {case.reference}").click()
    row.get_by_role("link", name="Demander des informations…").click()
    axe_check(sec, "triage-request-info")
    sec.get_by_label("Question au demandeur").fill("Merci de joindre le bilan hépatique du 20 novembre.")
    sec.get_by_role("button", name="Envoyer la question").click()
    sec.wait_for_url(re.compile(r"/demandes/tri/"))
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_REQUESTED

    # The clinician answers on the case page.
    page.goto(base + f"/demandes/{case.pk}/")
    expect(page.locator("#section-info-request")).to_contain_text("bilan hépatique du 20 novembre")
    axe_check(page, "case-detail-info-requested")
    page.locator("#section-info-request textarea").fill("Bilan joint : ASAT 5N, ALAT 6N, bilirubine normale.")
    page.get_by_role("button", name="Répondre et renvoyer au secrétariat").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    # The secretariat accepts (confirmation dialog accepted).
    sec.goto(base + "/demandes/tri/")
    sec.locator("tr", has_text=case.reference).get_by_role("button", name="Accepter").click()
    expect(sec.locator(".alert-success")).to_contain_text(f"{case.reference} acceptée")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED

    # Builds the agenda of the meeting: both accepted requests.
    sec.goto(base + f"/reunions/{meeting.pk}/")
    axe_check(sec, "meeting-detail-empty")
    sec.get_by_role("button", name="Construire l’ordre du jour").click()
    expect(sec.locator("#agenda tbody tr")).to_have_count(2)
    axe_check(sec, "meeting-detail-agenda")
    screenshots(sec, "meeting-detail")
    before = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("case__reference", flat=True)
    )
    assert sorted(before) == sorted([case.reference, waiting.reference])

    # Reorders with the keyboard only: focus "Descendre <first>", press Enter.
    sec.get_by_role("button", name=f"Descendre {before[0]}").focus()
    sec.keyboard.press("Enter")
    expect(sec.locator("#agenda tbody tr").first).to_contain_text(before[1])
    after = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("case__reference", flat=True)
    )
    assert after == [before[1], before[0]]
    # And back up with the "Monter" button, clicked.
    sec.get_by_role("button", name=f"Monter {before[0]}").click()
    expect(sec.locator("#agenda tbody tr").first).to_contain_text(before[0])

    # Publishes.
    sec.get_by_role("button", name="Publier l’ordre du jour").click()
    expect(sec.locator(".alert-success")).to_contain_text("Ordre du jour publié")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    axe_check(sec, "meeting-detail-published")
    case.refresh_from_db()
    assert case.status == CaseStatus.SCHEDULED
    sec.context.close()
