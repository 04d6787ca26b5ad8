"""CSRF: every state-changing request without the token is refused (403) before any view runs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.accounts import TEST_PASSWORD
from tests.helpers import login
from tests.test_url_walk import _sample_path, all_urls

pytestmark = pytest.mark.django_db

# Views that accept a POST without a CSRF token on purpose (none today).
CSRF_EXEMPT: set[str] = set()


@pytest.fixture
def csrf_client(cora) -> Client:
    return login(Client(enforce_csrf_checks=True), cora)


def test_logout_without_token_is_refused_and_the_session_survives(csrf_client) -> None:
    response = csrf_client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    assert csrf_client.get(reverse("home")).status_code == 200


def test_password_change_without_token_changes_nothing(cora) -> None:
    client = login(Client(enforce_csrf_checks=True), cora)
    new = "un-autre-mot-de-passe-tres-long"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 403
    cora.refresh_from_db()
    assert cora.check_password(TEST_PASSWORD)


def test_a_post_with_the_token_is_accepted(cora) -> None:
    client = login(Client(enforce_csrf_checks=True), cora)
    client.get(reverse("accounts:profile"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.parametrize(("pattern", "name"), all_urls(), ids=lambda v: str(v))
def test_every_url_refuses_a_post_without_token(csrf_client, pattern: str, name: str) -> None:
    if name in CSRF_EXEMPT:
        pytest.skip("declared CSRF-exempt")
    response = csrf_client.post(_sample_path(pattern))
    assert response.status_code == 403, f"POST {pattern} ({name}) without CSRF token answered {response.status_code}"
