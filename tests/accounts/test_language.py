from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_french(client) -> None:
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Connexion à TIGRE e-RCP" in html


def test_the_language_chosen_in_the_footer_is_kept(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/compte/connexion/"})
    assert response.status_code == 302
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_french(client, settings) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "fr"
