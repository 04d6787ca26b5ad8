from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories.accounts import UserFactory
from tests.helpers import login
from tigre.accounts.roles import Role
from tigre.navigation import NAV_ITEMS, visible_items

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_after_migrate() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_one_person_may_hold_several_roles() -> None:
    user = UserFactory(roles=[Role.REFERENT, Role.CLINICIAN])
    assert user.has_role(Role.REFERENT)
    assert user.has_role(Role.CLINICIAN)
    assert not user.has_role(Role.SECRETARIAT)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_navigation_shows_each_role_only_its_items(role: str) -> None:
    user = UserFactory(roles=[role])
    shown = {item["url_name"] for item in visible_items(user)}
    expected = {i.url_name for i in NAV_ITEMS if role in i.roles}
    assert shown <= expected
    for item in NAV_ITEMS:
        if role not in item.roles:
            assert item.url_name not in shown


def test_clinician_does_not_see_triage_nor_admin_links(client, alice) -> None:
    login(client, alice)
    html = client.get(reverse("home")).content.decode()
    assert "Tri des demandes" not in html
    assert "Administration" not in html
    assert "Journal des accès" not in html


def test_user_without_role_is_told_so(client) -> None:
    user = UserFactory()
    login(client, user)
    assert "Aucun rôle ne vous est encore attribué" in client.get(reverse("home")).content.decode()
