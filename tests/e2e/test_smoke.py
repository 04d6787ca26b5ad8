from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_in_french_and_accessible(page, live_server, axe_check) -> None:
    page.goto(live_server.url + "/")
    assert "/compte/connexion/" in page.url
    assert page.locator("h1").inner_text() == "Connexion à TIGRE e-RCP"
    assert page.locator("html").get_attribute("lang") == "fr"
    axe_check(page, "login-desktop")
    page.set_viewport_size(PHONE)
    axe_check(page, "login-phone")


def test_wrong_password_is_announced(page, live_server, alice) -> None:
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(alice.email)
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_text("Adresse e-mail ou mot de passe incorrect.").is_visible()


def test_axe_check_catches_a_serious_violation(page) -> None:
    from tests.e2e.conftest import run_axe

    page.set_content('<html lang="fr"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    ids = {v["id"] for v in run_axe(page)}
    assert "image-alt" in ids
