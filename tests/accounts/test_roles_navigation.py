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


def test_the_page_being_shown_is_marked_in_the_navigation(client, sam) -> None:
    import re

    login(client, sam)
    html = client.get(reverse("cases:triage")).content.decode()
    current = re.findall(r'<a class="nav-link active" aria-current="page"\s+href="([^"]+)"', html)
    assert current == [reverse("cases:triage")]
    assert html.count('aria-current="page"') == 1
    other = client.get(reverse("meetings:list")).content.decode()
    assert re.findall(r'aria-current="page"\s+href="([^"]+)"', other) == [reverse("meetings:list")]


def test_navigation_follows_the_language(client, sam) -> None:
    login(client, sam)
    assert "Tri des demandes" in client.get(reverse("home")).content.decode()
    client.cookies["django_language"] = "en"
    assert "Tri des demandes" not in client.get(reverse("home")).content.decode()
