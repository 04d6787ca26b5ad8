"""Nothing typed is lost on the request form, in Chromium (docs/domain.md#nothing-typed-is-lost): the warning
before leaving, the periodic draft save found again after a reload, the expired session that keeps the text, a
file attached before the first save."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from cases.models import Case, CaseStatus
from tests.e2e.actors import SHOTS, current_code, sign_in, tiny_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def test_leaving_with_unsaved_text_asks_first(page: Any, live_server: Any, alice: Any, password: str) -> None:
    base = live_server.url
    sign_in(page, base, alice, password)
    page.goto(base + "/demandes/nouvelle/")
    # Untouched: the app's links leave without a question.
    dialogs: list[Any] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.locator("#id_case-question").fill("Faut-il arrêter le nivolumab ?")
    page.locator("nav a.navbar-brand").click()
    assert dialogs and dialogs[0][0] == "confirm"
    assert "Des modifications ne sont pas enregistrées" in dialogs[0][1]
    # Dismissed: the clinician stays, with the text.
    assert page.url.endswith("/demandes/nouvelle/")
    expect(page.locator("#id_case-question")).to_have_value("Faut-il arrêter le nivolumab ?")
    # Reloading asks too (the browser's own prompt).
    dialogs.clear()
    page.remove_listener("dialog", on_dialog)
    page.on("dialog", lambda dialog: (dialogs.append((dialog.type, dialog.message)), dialog.dismiss()))
    with contextlib.suppress(Exception):  # dismissed: the reload never happens
        page.reload(timeout=3000)
    assert dialogs and dialogs[0][0] == "beforeunload"
    expect(page.locator("#id_case-question")).to_have_value("Faut-il arrêter le nivolumab ?")
    # Saving is leaving on purpose: no question.
    dialogs.clear()
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(page.locator(".alert-success").first).to_contain_text("Brouillon enregistré")
    assert dialogs == []
    # Saved: the tab's copy is the draft itself, nothing to put back.
    page.wait_for_timeout(600)
    expect(page.locator("#draft-notice")).to_be_hidden()
    page.wait_for_load_state("networkidle")  # no request left running while the test database is flushed


def test_autosave_keeps_the_draft_across_a_reload(page: Any, live_server: Any, alice: Any, password: str) -> None:
    base = live_server.url
    page.clock.install()
    sign_in(page, base, alice, password)
    page.goto(base + "/demandes/nouvelle/")
    page.locator("#id_patient-birth_name").fill("LEROY")
    page.locator("#id_case-question").fill("Reprise possible après colite de grade 2 ?")
    page.clock.run_for("00:31")
    expect(page.locator("#autosave-status")).to_contain_text("Brouillon enregistré automatiquement à")
    case = Case.objects.get(requester=alice)
    assert case.status == CaseStatus.DRAFT and case.question == "Reprise possible après colite de grade 2 ?"
    # The page now lives at its draft's address: a reload (no question: all is saved) shows the text again.
    expect(page).to_have_url(re.compile(rf"/demandes/{case.pk}/modifier/$"))
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(page.locator("#id_case-question")).to_have_value("Reprise possible après colite de grade 2 ?")
    expect(page.locator("#id_patient-birth_name")).to_have_value("LEROY")
    page.screenshot(path=str(SHOTS / "form-desktop.png"), full_page=True)
    page.wait_for_load_state("networkidle")


def test_expired_session_keeps_the_text(page: Any, live_server: Any, alice: Any, password: str) -> None:
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, alice, password)
    page.goto(base + "/demandes/nouvelle/")
    page.locator("#id_patient-birth_name").fill("MOREAU")
    page.get_by_role("button", name="Ajouter une toxicité").click()
    expect(page.locator("#tox-row-1")).to_be_visible()
    page.locator("#id_tox-1-description").fill("Diarrhées depuis 5 jours, 6 selles par jour")
    page.locator("#id_case-question").fill("Quelle corticothérapie ?")
    page.wait_for_timeout(600)  # the tab's copy is written 0,4 s after the last key
    Session.objects.all().delete()  # the session ends while the clinician types
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    page.wait_for_load_state()
    assert "/compte/connexion/" in page.url
    assert not Case.objects.exists()
    # Signing in again from where the app sent her, then back on the form with the text.
    page.get_by_label("Adresse e-mail").fill(alice.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "/double-authentification/" in page.url:
        page.get_by_label("Code à 6 chiffres").fill(current_code(alice))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_load_state()
    assert page.url.endswith("/demandes/nouvelle/")
    expect(page.locator("#draft-notice")).to_contain_text("Votre saisie non enregistrée a été remise")
    expect(page.locator("#id_patient-birth_name")).to_have_value("MOREAU")
    expect(page.locator("#id_tox-1-description")).to_have_value("Diarrhées depuis 5 jours, 6 selles par jour")
    expect(page.locator("#id_case-question")).to_have_value("Quelle corticothérapie ?")
    page.screenshot(path=str(SHOTS / "form-restored-desktop.png"))
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(page.locator(".alert-success").first).to_contain_text("Brouillon enregistré")
    case = Case.objects.get(requester=alice)
    assert case.patient.birth_name == "MOREAU" and case.question == "Quelle corticothérapie ?"
    page.wait_for_load_state("networkidle")


def test_file_attached_before_the_first_save(
    page: Any, live_server: Any, alice: Any, password: str, tmp_path: Any
) -> None:
    base = live_server.url
    sign_in(page, base, alice, password)
    page.goto(base + "/demandes/nouvelle/")
    expect(page.locator("#attachments-title")).to_have_text("7. Pièces jointes")
    page.locator("#id_patient-birth_name").fill("PETIT")
    page.locator("#id_attachment_file").set_input_files(str(tiny_pdf(tmp_path / "biologie.pdf")))
    page.get_by_role("button", name="Joindre").click()
    expect(page.locator("#attachments-panel")).to_contain_text("biologie.pdf")
    expect(page.locator("#attachments-title")).to_have_text("7. Pièces jointes")
    case = Case.objects.get(requester=alice)
    assert case.patient.birth_name == "PETIT" and case.attachments.count() == 1
    expect(page).to_have_url(re.compile(rf"/demandes/{case.pk}/modifier/$"))
    page.wait_for_load_state("networkidle")
