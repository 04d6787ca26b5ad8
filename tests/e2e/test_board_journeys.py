"""Journeys 3, 4 and 5 in Chromium: the urgent track (the referent's alert list, acknowledgement, urgent opinion);
the meeting session (attendance, avis, validation, the agenda and fiche PDFs); the CRPV's declaration."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from cases.messages import Kind
from cases.models import Avis, CaseStatus, Urgency
from cases.pharmacovigilance.models import PvFollowUp, PvStatus
from cases.urgent.services import urgent_case_alert
from meetings.models import Meeting, Participant
from referents.models import Coverage
from tests.e2e.actors import open_as, pdf_text, screenshots
from tests.factories.cases import PatientFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.referents import CoverageFactory, OrganCategoryFactory, ReferentFactory, ToxicityEventFactory
from tests.factories.session import make_session
from tests.helpers import totp_device
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def download(page: Any, link: Any, base: str) -> bytes:
    """The file behind a link, fetched with the page's own session (Chromium shows PDFs inline, no download)."""
    response = page.context.request.get(base + link.get_attribute("href"))
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


def test_referent_acknowledges_an_urgent_request_and_gives_the_urgent_opinion(
    browser: Any,
    browser_context_args: dict[str, Any],
    live_server: Any,
    axe_check: Any,
    alice: Any,
    password: str,
) -> None:
    heart = OrganCategoryFactory(code="heart-e2e", label="Cœur et vaisseaux", specialty="cardiology")
    myocarditis = ToxicityEventFactory(
        category=heart, code="myocarditis-e2e", label="Myocardite", urgent_at_any_grade=True
    )
    carla = ReferentFactory(user__email="carla@chu-reims.test", user__first_name="Carla", user__last_name="Cardin")
    CoverageFactory(referent=carla, category=heart, rank=Coverage.Rank.PRIMARY)
    totp_device(carla.user)
    patient = PatientFactory(birth_name="Durand", first_names="Jeanne", treating_centre=alice.centre)
    case = SubmittedCaseFactory(
        patient=patient,
        requester=alice,
        requester_centre=alice.centre,
        urgency=Urgency.URGENT,
        urgency_reason="Myocardite grade 4, troponine en hausse",
        highest_grade=4,
        reference="TIGRE-2026-0700",
    )
    ToxicityFactory(case=case, event=myocarditis, grade=4)
    urgent_case_alert(case=case)
    assert Notification.objects.filter(kind=Kind.URGENT_ALERT, recipient=carla.user, case=case).exists()

    ref = open_as(browser, browser_context_args, live_server.url, carla.user, password, axe_check)
    ref.goto(live_server.url + "/urgences/")
    row = ref.locator("tr", has_text=case.reference)
    expect(row).to_be_visible()
    expect(row).to_contain_text("G4")
    axe_check(ref, "urgent-list")
    screenshots(ref, "urgent-list")
    row.get_by_role("button", name="Je prends la demande").click()
    ref.wait_for_url(re.compile(rf"/urgences/{case.pk}/avis/"))
    expect(ref.locator(".alert-success")).to_contain_text(f"Vous avez pris en charge la demande {case.reference}")
    case.refresh_from_db()
    assert case.urgent_acknowledged_by == carla.user and case.urgent_acknowledged_at is not None
    axe_check(ref, "urgent-opinion")
    screenshots(ref, "urgent-opinion")

    # An empty opinion is refused in French, then the opinion is written.
    ref.get_by_role("button", name="Enregistrer l'avis urgent et prévenir le demandeur").click()
    expect(ref.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    assert case.urgent_opinion_at is None
    axe_check(ref, "urgent-opinion-error")
    ref.locator("textarea").first.fill(
        "Arrêt de l'immunothérapie, méthylprednisolone 1 g/j pendant 3 jours, hospitalisation en USIC."
    )
    ref.get_by_role("button", name="Enregistrer l'avis urgent et prévenir le demandeur").click()
    ref.wait_for_url(re.compile(r"/urgences/$"))
    expect(ref.locator(".alert-success[role=alert]")).to_contain_text("Avis urgent enregistré")
    case.refresh_from_db()
    assert case.urgent_opinion_at is not None and "méthylprednisolone" in case.urgent_opinion
    assert Notification.objects.filter(kind=Kind.URGENT_OPINION, recipient=alice, case=case).exists()
    ref.context.close()


def test_coordinator_holds_the_session_downloads_pdfs_and_crpv_declares(
    browser: Any,
    browser_context_args: dict[str, Any],
    live_server: Any,
    axe_check: Any,
    cora: Any,
    victor: Any,
    password: str,
) -> None:
    base = live_server.url
    s = make_session(coordinator=cora, cases=2, present=None)
    for n, item in enumerate(s.items):
        item.case.reference = f"TIGRE-2026-08{n:02d}"
        item.case.save(update_fields=["reference"])
    meeting = s.meeting
    first, second = (item.case for item in s.items)
    totp_device(cora)
    totp_device(victor)

    co = open_as(browser, browser_context_args, base, cora, password, axe_check)
    co.goto(base + f"/reunions/{meeting.pk}/seance/")
    axe_check(co, "session")
    # Attendance: everyone invited is marked present, one at a time (htmx).
    for participant in s.participants:
        group = co.get_by_role("group", name=f"Présence de {participant.user.display_name}")
        group.get_by_role("button", name="Présent").click()
        expect(group.get_by_role("button", name="Présent")).to_have_attribute("aria-pressed", "true")
    assert set(Participant.objects.filter(meeting=meeting).values_list("present", flat=True)) == {True}
    expect(co.locator("#session-body")).to_contain_text("Quorum atteint")
    axe_check(co, "session-attendance")
    screenshots(co, "session")

    # The avis of both cases; the first is declared to pharmacovigilance.
    co.goto(base + f"/reunions/{meeting.pk}/seance/dossiers/{s.items[0].pk}/")
    axe_check(co, "session-item")
    co.get_by_label("Réponse de la RCP à la question posée").fill("Arrêt définitif, corticothérapie 1 mg/kg/j.")
    co.get_by_label("Arrêter définitivement l'immunothérapie").check()
    co.get_by_label("Reprise contre-indiquée").check()
    co.get_by_label("Événement à déclarer à la pharmacovigilance (CRPV)").check()
    co.get_by_role("button", name="Enregistrer et dossier suivant").click()
    co.wait_for_url(re.compile(rf"/seance/dossiers/{s.items[1].pk}/"))
    screenshots(co, "session-item")
    co.get_by_label("Réponse de la RCP à la question posée").fill("Poursuite, surveillance de la troponine.")
    co.get_by_label("Poursuivre l'immunothérapie").check()
    co.get_by_role("button", name="Enregistrer l'avis").click()
    co.wait_for_load_state()
    assert Avis.objects.filter(agenda_item__meeting=meeting).count() == 2

    # Validation (confirmation dialog accepted).
    co.goto(base + f"/reunions/{meeting.pk}/seance/")
    co.get_by_role("button", name="Valider et verrouiller").click()
    co.wait_for_load_state()
    expect(co.locator(".alert-success[role=alert]")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.VALIDATED
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == CaseStatus.AVIS_VALIDATED
    axe_check(co, "session-validated")

    # The agenda PDF from the meeting page, the fiche from the case page.
    co.goto(base + f"/reunions/{meeting.pk}/")
    agenda_link = co.locator('a[href$="ordre-du-jour.pdf"]')
    expect(agenda_link).to_be_visible()
    axe_check(co, "meeting-detail-validated")
    text = pdf_text(download(co, agenda_link, base))
    assert first.reference in text and second.reference in text

    co.goto(base + f"/demandes/{first.pk}/")
    fiche_link = co.locator('a[href$="fiche-rcp.pdf"]')
    expect(fiche_link).to_be_visible()
    axe_check(co, "case-detail-avis")
    assert first.reference in pdf_text(download(co, fiche_link, base))
    co.context.close()

    # --- 5. The CRPV records the declaration --------------------------------------------------------------------
    follow_up = PvFollowUp.objects.get(toxicity__case=first)
    pv = open_as(browser, browser_context_args, base, victor, password, axe_check)
    pv.goto(base + "/pharmacovigilance/")
    axe_check(pv, "pv-list")
    screenshots(pv, "pv-list")
    pv.goto(base + f"/pharmacovigilance/effets/{follow_up.pk}/")
    axe_check(pv, "pv-sheet")
    screenshots(pv, "pv-sheet")
    pv.get_by_label("Nouveau statut").select_option("declared")
    pv.get_by_label("Déclarée le").fill(dt.date.today().isoformat())
    pv.get_by_label("Référence CRPV").fill("NY2026-0412")
    pv.get_by_role("button", name="Enregistrer le statut").click()
    pv.wait_for_load_state()
    follow_up.refresh_from_db()
    assert follow_up.status == PvStatus.DECLARED
    assert follow_up.crpv_reference == "NY2026-0412" and follow_up.declared_on == dt.date.today()
    expect(pv.locator("body")).to_contain_text("NY2026-0412")
    axe_check(pv, "pv-sheet-declared")
    pv.context.close()
