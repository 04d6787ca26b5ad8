"""Issue 16 in Chromium: the board ratifies an urgent opinion and records an organ exception at a meeting that has
begun; a meeting still to come refuses attendance with a French message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Avis
from meetings.models import Participant
from tests.e2e.actors import SHOTS, open_as, pdf_text
from tests.factories.accounts import UserFactory
from tests.factories.session import make_session
from tests.helpers import totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_board_ratifies_an_urgent_opinion_and_records_an_organ_exception(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, axe_check: Any, cora: Any, password: str
) -> None:
    base = live_server.url
    s = make_session(coordinator=cora, cases=1)
    Participant.objects.filter(pk=s.cardio_participant.pk).update(present=False)  # the cardiologist is away
    item = s.items[0]
    case = item.case
    case.urgent_opinion = "Méthylprednisolone 1 g/j, hospitalisation en soins intensifs de cardiologie."
    case.urgent_opinion_at = s.meeting.starts_at - dt.timedelta(days=1)
    case.urgent_opinion_by = UserFactory(first_name="Carla", last_name="Cardin", specialty="cardiology")
    case.save()
    totp_device(cora)

    co = open_as(browser, browser_context_args, base, cora, password, axe_check)
    co.goto(base + reverse("meetings:session", args=[s.meeting.pk]))
    expect(co.locator("#session-body")).to_contain_text("Avis urgent de Dr Carla CARDIN")
    axe_check(co, "session-urgent-opinion")
    co.screenshot(path=str(SHOTS / "avis-session.png"), full_page=True)

    co.goto(base + reverse("meetings:session_item", args=[s.meeting.pk, item.pk]))
    expect(co.get_by_role("heading", name="Avis urgent à ratifier")).to_be_visible()
    co.locator("#id_answer").fill("Arrêt définitif du pembrolizumab ; corticothérapie à poursuivre.")
    co.get_by_role("radio", name="Arrêter définitivement l'immunothérapie").check()
    co.get_by_role("radio", name="Proposition conforme au référentiel").check()
    co.locator("#id_conformity_reference").fill("ESMO 2022, myocardite")
    # Saved without ratification nor exception: refused on the fields, nothing typed is lost.
    co.get_by_role("button", name="Enregistrer l'avis").click()
    expect(co.locator("#organ-exception")).to_contain_text("Aucun référent présent pour : Cœur et vaisseaux")
    expect(co.locator("#urgent-ratification")).to_contain_text("ratifie ou amende")
    expect(co.locator("#id_answer")).to_have_value("Arrêt définitif du pembrolizumab ; corticothérapie à poursuivre.")
    axe_check(co, "session-item-refused")
    co.get_by_role("radio", name="Avis urgent amendé").check()
    co.locator("#id_urgent_amendment").fill("Ajouter le mycophénolate à J3 sans amélioration.")
    co.locator("#id_organ_exception_reason").fill("Cardiologue joint par téléphone, avis concordant")
    co.screenshot(path=str(SHOTS / "avis-session-item.png"), full_page=True)
    co.get_by_role("button", name="Enregistrer l'avis").click()
    expect(co.get_by_text("Avis enregistré")).to_be_visible()
    avis = Avis.objects.get(case=case)
    assert avis.urgent_ratification == Avis.UrgentRatification.AMENDED
    assert avis.organ_exception_reason == "Cardiologue joint par téléphone, avis concordant"

    response = co.context.request.get(base + reverse("documents:fiche_pdf", args=[avis.pk]))
    assert response.status == 200
    text = " ".join(pdf_text(response.body()).split())
    assert text.index("Méthylprednisolone 1 g/j") < text.index("Avis urgent amendé")
    assert "Avis rendu sans référent de l'organe (Cœur et vaisseaux) : Cardiologue joint par téléphone" in text
    (SHOTS / "avis-fiche-draft.pdf").write_bytes(response.body())


def test_a_meeting_still_to_come_refuses_attendance(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, axe_check: Any, cora: Any, password: str
) -> None:
    base = live_server.url
    s = make_session(coordinator=cora, cases=1, present=None, started=False)
    totp_device(cora)
    co = open_as(browser, browser_context_args, base, cora, password, axe_check)
    co.goto(base + reverse("meetings:session", args=[s.meeting.pk]))
    expect(co.locator("#session-body")).to_contain_text("La réunion commence le")
    group = co.get_by_role("group", name=f"Présence de {s.cardiologist.display_name}")
    group.get_by_role("button", name="Présent").click()
    expect(co.locator("#session-body .alert-danger")).to_contain_text("La réunion n'a pas encore commencé")
    axe_check(co, "session-not-started")
    co.screenshot(path=str(SHOTS / "avis-session-not-started.png"), full_page=True)
    assert Participant.objects.get(pk=s.cardio_participant.pk).present is None
