"""The second factor: required for staff roles, optional for others, a code is accepted once."""

from __future__ import annotations

import io
import time

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.helpers import login, totp_device
from tigre.accounts.roles import Role

pytestmark = pytest.mark.django_db

STAFF = [Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE, Role.ADMINISTRATOR]
OPTIONAL = [Role.CLINICIAN, Role.REFERENT]


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """The code the user's authenticator app shows at ``at`` (now by default)."""
    at = time.time() if at is None else at
    return f"{hotp(device.bin_key, int((at - device.t0) // device.step), digits=device.digits):06d}"


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def password_login(client, user) -> None:
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_device_is_sent_to_enrolment(client, role) -> None:
    user = UserFactory(roles=[role])
    password_login(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))


@pytest.mark.parametrize("role", STAFF)
def test_staff_with_device_is_sent_to_verification_until_a_good_code(client, role) -> None:
    user = UserFactory(roles=[role])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_login(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    response = client.post(reverse("accounts:otp_verify"), {"token": _wrong(code_for(device)), "next": "/"})
    assert response.status_code == 200
    assert "Code refusé" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    # A failure throttles the device (1 s, doubling): the next try comes a little later.
    with time_machine.travel(time.time() + 5, tick=False):
        response = client.post(reverse("accounts:otp_verify"), {"token": code_for(device), "next": "/"})
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", OPTIONAL)
def test_second_factor_is_optional_for_clinicians_and_referents(client, role) -> None:
    user = UserFactory(roles=[role])
    password_login(client, user)
    assert client.get(reverse("home")).status_code == 200


def test_an_enrolled_clinician_is_asked_for_the_code(client) -> None:
    user = UserFactory(roles=[Role.CLINICIAN])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_login(client, user)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_a_code_is_accepted_once_only(client) -> None:
    user = UserFactory(roles=[Role.COORDINATOR])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with time_machine.travel("2026-12-02 15:00:05+00:00", tick=False):
        code = code_for(device)
        password_login(client, user)
        assert client.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 302
        client.post(reverse("accounts:logout"))
        other = type(client)()
        password_login(other, user)
        response = other.post(reverse("accounts:otp_verify"), {"token": code})
        assert response.status_code == 200
        assert "Code refusé" in response.content.decode()
        assert other.get(reverse("home")).status_code == 302


def test_bad_code_format_gives_a_french_message(client) -> None:
    user = UserFactory(roles=[Role.SECRETARIAT])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_login(client, user)
    response = client.post(reverse("accounts:otp_verify"), {"token": "abc"})
    assert response.status_code == 200
    assert "Saisissez les 6 chiffres" in response.content.decode()


def test_enrolment_shows_an_svg_qr_code_and_confirms_with_a_first_code(client) -> None:
    user = UserFactory(roles=[Role.PHARMACOVIGILANCE])
    password_login(client, user)
    response = client.get(reverse("accounts:otp_enrol"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "<script" not in html.split("<footer")[0]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert response.context["secret"] in html
    response = client.post(reverse("accounts:otp_enrol"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_cannot_replace_a_device_without_the_current_one(client) -> None:
    user = UserFactory(roles=[Role.COORDINATOR])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_login(client, user)
    response = client.get(reverse("accounts:otp_enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_login_helper_gives_a_verified_session_for_every_role(client) -> None:
    for role in STAFF + OPTIONAL:
        user = UserFactory(roles=[role])
        login(client, user)
        response = client.get(reverse("home"))
        assert response.status_code == 200, role
        assert response.wsgi_request.user.is_verified(), role


def test_login_helper_can_stop_after_the_password(client) -> None:
    user = UserFactory(roles=[Role.COORDINATOR])
    totp_device(user)
    login(client, user, verified=False)
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))


def test_htmx_request_of_an_unverified_user_is_redirected_by_header(client) -> None:
    user = UserFactory(roles=[Role.COORDINATOR])
    login(client, user, verified=False)
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:otp_enrol"))


def test_logout_needs_no_second_factor(client) -> None:
    user = UserFactory(roles=[Role.SECRETARIAT])
    login(client, user, verified=False)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_demo_devices_and_summary(capsys) -> None:
    call_command("load_demo", stdout=io.StringIO())
    emails = set(TOTPDevice.objects.values_list("user__email", flat=True))
    assert emails == {"secretariat@demo.tigre", "coordinateur@demo.tigre", "crpv@demo.tigre", "admin@demo.tigre"}
    out = io.StringIO()
    call_command("demo_summary", stdout=out)
    text = out.getvalue()
    device = TOTPDevice.objects.get(user__email="crpv@demo.tigre")
    from tigre.accounts.otp import b32_secret

    assert b32_secret(device) in text
    assert "otpauth://totp/TIGRE%20e-RCP%3Acrpv%40demo.tigre?secret=" in text
    assert "oathtool --totp -b" in text


def test_demo_devices_are_refused_outside_demo_settings(settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from tigre.accounts.otp import load_demo_devices

    settings.TIGRE = {**settings.TIGRE, "DEMO": False}
    with pytest.raises(ImproperlyConfigured):
        load_demo_devices(password="x")


def test_no_navigation_before_the_second_factor(client) -> None:
    user = UserFactory(roles=[Role.COORDINATOR])
    totp_device(user)
    login(client, user, verified=False)
    html = client.get(reverse("accounts:otp_verify")).content.decode()
    assert "Tri des demandes" not in html and 'id="mainnav"' not in html
    assert "Se déconnecter" in html
    login(client, user)
    assert 'id="mainnav"' in client.get(reverse("home")).content.decode()


def test_enrolment_wording_depends_on_the_role(client) -> None:
    login(client, UserFactory(roles=[Role.CLINICIAN]), verified=False)
    assert "Facultatif pour votre rôle" in client.get(reverse("accounts:otp_enrol")).content.decode()
    login(client, UserFactory(roles=[Role.SECRETARIAT]), verified=False)
    assert "exigé en plus du mot de passe" in client.get(reverse("accounts:otp_enrol")).content.decode()


def test_verifying_the_code_gives_a_new_session_key(client) -> None:
    user = UserFactory(roles=[Role.SECRETARIAT])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_login(client, user)
    before = client.cookies["sessionid"].value
    assert client.post(reverse("accounts:otp_verify"), {"token": code_for(device)}).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("home")).status_code == 200
