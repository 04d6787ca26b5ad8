"""Login throttling (django-axes): 5 failures lock for 15 minutes, then the account opens again by itself."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories.accounts import TEST_PASSWORD
from tests.helpers import login

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def _try(client: Client, email: str, password: str, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)


def test_five_failures_lock_even_the_right_password_then_cool_off(client, alice) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(4):
            assert _try(client, alice.email, "mauvais-mot-de-passe").status_code == 200
        response = _try(client, alice.email, "mauvais-mot-de-passe")
        assert response.status_code == 429
        response = _try(client, alice.email, TEST_PASSWORD)
        assert response.status_code == 429
        html = response.content.decode()
        assert "Compte temporairement bloqué" in html
        assert "15 minutes" in html
        assert "_auth_user_id" not in client.session
        traveller.shift(dt.timedelta(minutes=14))
        assert _try(client, alice.email, TEST_PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=2))  # 16 minutes after the last failure: not a permanent lock
        response = _try(client, alice.email, TEST_PASSWORD)
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_the_lock_ignores_the_case_of_the_email(client, alice) -> None:
    for i in range(5):
        _try(client, alice.email.upper() if i % 2 else alice.email, "faux")
    assert _try(client, alice.email, TEST_PASSWORD).status_code == 429


def test_the_lock_is_per_account_not_per_hospital_address(alice, bob) -> None:
    """Staff behind one hospital NAT: one person's typos do not lock a colleague's account (other browser)."""
    attacker = Client(HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        _try(attacker, alice.email, "faux")
    colleague = Client(HTTP_USER_AGENT="Chrome/142", REMOTE_ADDR="10.0.0.1")
    assert _try(colleague, bob.email, TEST_PASSWORD).status_code == 302


def test_one_machine_spraying_many_accounts_is_locked(alice, bob) -> None:
    sprayer = Client(HTTP_USER_AGENT="python-requests/2.32", REMOTE_ADDR="198.51.100.4")
    for i in range(5):
        _try(sprayer, f"inconnu{i}@hopital.test", "Printemps2026!")
    assert _try(sprayer, bob.email, TEST_PASSWORD).status_code == 429


def test_success_resets_the_failure_count(client, alice) -> None:
    for _ in range(4):
        _try(client, alice.email, "faux")
    assert _try(client, alice.email, TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        _try(client, alice.email, "faux")
    assert _try(client, alice.email, TEST_PASSWORD).status_code == 302


def test_force_login_of_the_test_helper_is_unaffected_by_axes(client, alice) -> None:
    for _ in range(5):
        _try(Client(), alice.email, "faux")
    login(client, alice)
    assert client.get(reverse("home")).status_code == 200


def test_axes_backend_comes_first() -> None:
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


# --- Passwords ------------------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_outside_tests(settings) -> None:
    from tigre.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    encoded = make_password("un-mot-de-passe-solide")
    assert encoded.startswith("argon2$argon2id$")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("un-mot-de-passe-solide", encoded)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-2026", "Ce mot de passe est trop court"),
        ("1qaz2wsx3edc", "Ce mot de passe est trop courant"),
        ("123456789012345", "Ce mot de passe est entièrement numérique"),
    ],
)
def test_weak_passwords_are_refused_in_french(alice, password, message) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password, user=alice)
    assert any(message in m for m in excinfo.value.messages), excinfo.value.messages


def test_a_long_uncommon_password_is_accepted(alice) -> None:
    validate_password("girafe-violette-sur-le-toit-42", user=alice)
