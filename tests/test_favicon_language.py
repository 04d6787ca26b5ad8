"""The small ones of issue 19: /favicon.ico is served, the language selector switches on change."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_favicon_is_served_without_login(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_language_form_works_with_and_without_javascript(client: Any, alice: Any) -> None:
    login(client, alice)
    html = client.get(reverse("home")).content.decode()
    assert "data-language-form" in html and "js/language.js" in html
    assert 'type="submit"' in html  # the button stays for browsers without JavaScript
    assert 'rel="icon"' in html
