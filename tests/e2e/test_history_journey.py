"""A patient's history in Chromium: the requester answers the follow-up at the réévaluation date, presents the
patient again, is warned by the duplicate check; the secretariat sees the earlier request at triage; the board sees
the earlier avis and the guideline summaries at the meeting. axe-core on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.followup.models import FollowUp
from cases.followup.services import follow_ups_send_due
from cases.models import Avis, Case, CaseStatus, RequestReason
from cases.services import case_save_draft, case_submit
from referents.models import OrganCategory
from tests.e2e.actors import open_as, screenshots
from tests.factories.cases import ImmunotherapyLineFactory, PatientFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import AgendaItemFactory
from tests.factories.referents import ToxicityEventFactory
from tests.factories.session import AvisFactory, make_session
from tests.helpers import totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def test_history_follow_up_and_presenting_again(
    browser: Any,
    browser_context_args: dict[str, Any],
    live_server: Any,
    axe_check: Any,
    alice: Any,
    sam: Any,
    cora: Any,
    password: str,
) -> None:
    base = live_server.url
    colitis = ToxicityEventFactory(category=OrganCategory.objects.get(code="gastrointestinal"), label="Colite")
    patient = PatientFactory(
        birth_name="Marchal",
        first_names="Bernard",
        sex="M",
        birth_date=dt.date(1956, 5, 17),
        treating_centre=alice.centre,
    )
    earlier = SubmittedCaseFactory(
        requester=alice, patient=patient, status=CaseStatus.AVIS_VALIDATED, reference="TIGRE-2026-0801"
    )
    ImmunotherapyLineFactory(case=earlier)
    ToxicityFactory(case=earlier, event=colitis, grade=3)
    AvisFactory(
        case=earlier,
        state=Avis.State.VALIDATED,
        meeting_at=timezone.now() - dt.timedelta(days=28),
        follow_up_date=timezone.localdate(),
        ici_decision=Avis.IciDecision.HOLD,
        answer="Infliximab 5 mg/kg ; reprise du nivolumab seul à discuter après résolution.",
    )
    follow_ups_send_due()
    follow_up = FollowUp.objects.get()

    # The requester answers the follow-up from its link, in three clicks.
    claire = open_as(browser, browser_context_args, base, alice, password, axe_check)
    claire.goto(base + f"/demandes/suivi/{follow_up.pk}/")
    axe_check(claire, "follow-up-answer")
    screenshots(claire, "follow-up-answer")
    claire.get_by_text("Oui", exact=True).click()
    claire.get_by_text("Résolution", exact=True).click()
    claire.get_by_label("Commentaire (facultatif)").fill("Colite résolue, corticoïdes sevrés.")
    claire.get_by_role("button", name="Enregistrer la réponse").click()
    expect(claire.get_by_text("Merci : votre réponse au suivi est enregistrée.")).to_be_visible()
    expect(claire.locator("body")).to_contain_text("Résolution")
    axe_check(claire, "case-detail-follow-up")
    screenshots(claire, "case-detail-follow-up")

    # She presents the patient again, once the request is closed.
    Case.objects.filter(pk=earlier.pk).update(status=CaseStatus.CLOSED)
    claire.reload()
    claire.get_by_role("link", name="Présenter à nouveau").first.click()
    axe_check(claire, "present-again")
    screenshots(claire, "present-again")
    claire.get_by_role("button", name="Créer la nouvelle demande").click()
    expect(claire.get_by_text("Nouvelle demande commencée à partir de TIGRE-2026-0801")).to_be_visible()
    expect(claire.get_by_label("Nom de naissance")).to_have_value("Marchal")
    new = Case.objects.exclude(pk=earlier.pk).get()

    # The duplicate check on a new form names her own requests of this patient.
    claire.goto(base + "/demandes/nouvelle/")
    claire.get_by_label("Nom de naissance").fill("MARCHAL")
    claire.get_by_label("Prénom(s)").fill("bernard")
    claire.locator("#id_patient-birth_date").fill("1956-05-17")
    claire.locator("#id_patient-birth_date").press("Tab")
    panel = claire.locator("#duplicate-panel")
    expect(panel).to_contain_text("Vous avez déjà adressé ce patient")
    expect(panel).to_contain_text("TIGRE-2026-0801")
    expect(panel).to_contain_text("contactez le secrétariat de la RCP")
    axe_check(claire, "duplicate-panel")
    screenshots(claire, "duplicate-panel")

    # Submitted, the new request shows the earlier one to the secretariat at triage.
    fields = {"reason": RequestReason.RECHALLENGE, "question": "Reprise ?", "patient_informed": True}
    case_save_draft(case=new, by=alice, fields=fields)
    new = case_submit(case=new, by=alice)
    totp_device(sam)
    secretariat = open_as(browser, browser_context_args, base, sam, password, axe_check)
    secretariat.goto(base + f"/demandes/{new.pk}/")
    history = secretariat.locator("#section-patient-history")
    expect(history).to_contain_text("Demandes antérieures de ce patient")
    expect(history).to_contain_text("TIGRE-2026-0801")
    expect(history).to_contain_text("Résolution")
    axe_check(secretariat, "triage-history")
    screenshots(secretariat, "triage-history")

    # At the meeting, the board sees the earlier avis and, beside the avis form, the guideline summaries.
    s = make_session(coordinator=cora, cases=0)
    item = AgendaItemFactory(meeting=s.meeting, case=new)
    totp_device(cora)
    board = open_as(browser, browser_context_args, base, cora, password, axe_check)
    board.goto(base + f"/reunions/{s.meeting.pk}/seance/dossiers/{item.pk}/")
    expect(board.locator("#patient-history")).to_contain_text("Infliximab 5 mg/kg")
    expect(board.locator(".guidelines")).to_contain_text("ASCO 2021")
    expect(board.locator("#patient-history")).not_to_contain_text("Marchal")
    axe_check(board, "session-history-guidelines")
    screenshots(board, "session-history-guidelines")
