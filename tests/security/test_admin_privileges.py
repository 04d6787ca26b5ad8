"""Least privilege in the admin (issue 17, finding 1): only a superuser grants privileges; no TOTP secret is ever
shown; patient data are not in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories.accounts import UserFactory
from tests.helpers import login, totp_device
from tigre.accounts.models import User
from tigre.accounts.roles import Role, sync_role_groups

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin() -> User:
    sync_role_groups()
    return UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)


def _change_form_data(user: User, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": user.email,
        "title": user.title,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "specialty": user.specialty,
        "centre": "",
        "phone": "",
        "rpps": "",
        "mssante_address": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    data.update(extra)
    return data


def test_an_administrator_cannot_make_itself_superuser_nor_take_roles(staff_admin: User) -> None:
    client = login(Client(), staff_admin)
    coordinator = Group.objects.get(name=Role.COORDINATOR)
    secretariat = Group.objects.get(name=Role.SECRETARIAT)
    url = f"/admin/accounts/user/{staff_admin.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert 'name="groups"' not in page.content.decode()

    response = client.post(
        url,
        _change_form_data(
            staff_admin,
            is_superuser="on",
            is_staff="on",
            groups=[coordinator.pk, secretariat.pk],
            user_permissions=[],
            first_name="Changé",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    staff_admin.refresh_from_db()
    assert staff_admin.first_name == "Changé"  # the rest of the form was saved
    assert not staff_admin.is_superuser
    assert set(staff_admin.groups.values_list("name", flat=True)) == {Role.ADMINISTRATOR}


def test_an_administrator_cannot_change_a_superuser(staff_admin: User) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    client = login(Client(), staff_admin)
    response = client.post(f"/admin/accounts/user/{root.pk}/change/", _change_form_data(root, email="x@evil.test"))
    assert response.status_code == 403
    assert client.post(f"/admin/accounts/user/{root.pk}/password/", {}).status_code == 403
    root.refresh_from_db()
    assert root.email != "x@evil.test"


def test_a_superuser_grants_roles(staff_admin: User) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    client = login(Client(), root)
    coordinator = Group.objects.get(name=Role.COORDINATOR)
    response = client.post(
        f"/admin/accounts/user/{staff_admin.pk}/change/",
        _change_form_data(staff_admin, is_staff="on", groups=[coordinator.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(staff_admin.groups.values_list("name", flat=True)) == [Role.COORDINATOR]


def test_no_totp_secret_is_shown_even_to_a_superuser() -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    client = login(Client(), root)
    device = totp_device(UserFactory(roles=[Role.COORDINATOR]))
    for url in ("/admin/otp_totp/totpdevice/", f"/admin/otp_totp/totpdevice/{device.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert device.key not in body
        assert "qrcode" not in body.lower()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/case/",
        "/admin/cases/patient/",
        "/admin/cases/avis/",
        "/admin/cases/attachment/",
        "/admin/pharmacovigilance/pvfollowup/",
    ],
)
def test_patient_data_are_not_in_the_admin(url: str) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    client = login(Client(), root)
    assert client.get(url).status_code == 404
