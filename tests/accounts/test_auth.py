from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories.accounts import TEST_PASSWORD
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_login_page_is_french(client) -> None:
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Connexion à TIGRE e-RCP" in html
    assert "Adresse e-mail" in html
    assert "Mot de passe oublié" in html


def test_login_by_email_then_logout(client, alice) -> None:
    response = client.post(reverse("accounts:login"), {"username": "ALICE@chu-reims.test", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_gives_a_french_message(client, alice) -> None:
    response = client.post(reverse("accounts:login"), {"username": "alice@chu-reims.test", "password": "nope"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_inactive_user_cannot_log_in(client, alice) -> None:
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    response = client.post(reverse("accounts:login"), {"username": alice.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_in_french(client, alice) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "TIGRE e-RCP : réinitialisation de votre mot de passe"
    assert "Vous avez demandé à réinitialiser" in message.body
    link = re.search(r"http://[^\s]+/mot-de-passe/nouveau/[^\s]+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert "Nouveau mot de passe" in response.content.decode()
    new_password = "un-nouveau-mot-de-passe-solide-2026"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@nulle-part.test"}, follow=True)
    assert response.status_code == 200
    assert "Si un compte correspond" in response.content.decode()
    assert mail.outbox == []


def test_short_password_refused_in_french(client, alice) -> None:
    login(client, alice)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "court", "new_password2": "court"},
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()


def test_rpps_must_have_eleven_digits(alice) -> None:
    from django.core.exceptions import ValidationError

    alice.rpps = "1234"
    with pytest.raises(ValidationError) as excinfo:
        alice.full_clean()
    assert "11 chiffres" in str(excinfo.value)
    alice.rpps = "10101010101"
    alice.full_clean()


def test_error_pages_are_french_without_technical_detail(client, alice) -> None:
    login(client, alice)
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Traceback" not in html and "urlpatterns" not in html


def test_500_page_is_french(client, settings) -> None:
    from tigre.views import error_500

    response = error_500(None)
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()
