"""The footer's language selector switches on change, without its own "OK" button (issue 19)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_choosing_a_language_switches_at_once(page, live_server, axe_check) -> None:
    page.goto(live_server.url + "/compte/connexion/")
    form = page.locator("form[data-language-form]")
    assert not form.get_by_role("button").is_visible()
    with page.expect_navigation():
        form.get_by_label("Langue").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    axe_check(page, "login-english")
    assert page.request.get(live_server.url + "/favicon.ico").status == 200
