"""Deny by default: every URL of the project except an explicit public list sends an anonymous user to login."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Views reachable without login, by name. Anything else must redirect to the login page.
PUBLIC_URL_NAMES = {
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "healthz",
    "favicon",  # browsers ask for it on every page, the login page included
    "set_language",
    "admin:login",
    "admin:logout",
    "meetings:calendar_feed",  # secret-token calendar feed (meetings): its token is the credential
    # Pro Santé Connect login steps (tigre/accounts/views_psc.py): before login by nature; the access request only
    # serves an identity PSC verified in this browser's session moments before.
    "accounts:psc_start",
    "accounts:psc_callback",
    "accounts:psc_access_request",
    "accounts:psc_logged_out",
}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern, name, _callback in _walk_views(resolver, prefix, namespace):
        yield pattern, name


def _walk_views(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk_views(entry, pattern, ns)
        elif isinstance(entry, URLPattern):
            yield pattern, f"{namespace}{entry.name}" if entry.name else "", entry.callback


def _sample_path(pattern: str) -> str:
    path = pattern.lstrip("^").rstrip("$").replace("\\Z", "")
    path = re.sub(r"<(?:int:)?[a-z_]*(?:pk|id)>", "1", path)
    path = re.sub(r"<uuid:[a-z_]+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<(?:slug|str|path):[a-z_0-9]+>|<[a-z_0-9]+>", "x", path)
    path = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "1", path)
    path = path.replace("\\", "")
    return "/" + path


def all_urls() -> list[tuple[str, str]]:
    return [(p, n) for p, n in _walk(get_resolver()) if not p.startswith("static/")]


def protected_urls() -> list[tuple[str, str]]:
    return [(p, n) for p, n in all_urls() if n not in PUBLIC_URL_NAMES]


def test_the_walk_finds_the_project_urls() -> None:
    names = {name for _pattern, name in all_urls()}
    assert {"home", "accounts:profile", "healthz"} <= names


def test_every_url_is_named() -> None:
    """The public list is by name: an unnamed URL could never be listed, nor reviewed."""
    # Django's admin has unnamed legacy redirects (<object_id>/ -> change); they sit behind the admin's own login.
    unnamed = [p for p, n in all_urls() if (not n or n.endswith(":")) and not p.startswith("admin/")]
    assert unnamed == []


def test_the_public_list_has_no_stale_entry() -> None:
    names = {name for _pattern, name in all_urls()}
    assert names >= PUBLIC_URL_NAMES, PUBLIC_URL_NAMES - names


def test_only_the_public_list_is_marked_login_not_required() -> None:
    """The marker LoginRequiredMiddleware reads: only the listed views carry login_required=False."""
    opened = {
        name
        for pattern, name, callback in _walk_views(get_resolver())
        if not pattern.startswith("static/") and getattr(callback, "login_required", True) is False
    }
    assert opened <= PUBLIC_URL_NAMES, f"views opened to anonymous users without review: {opened - PUBLIC_URL_NAMES}"


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "name"), protected_urls(), ids=lambda v: str(v))
def test_anonymous_user_is_sent_to_login(client, pattern: str, name: str) -> None:
    path = _sample_path(pattern)
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client, method)(path)
        assert response.status_code in (301, 302), f"{method.upper()} {path} ({name}) answered {response.status_code}"
        location = response.headers["Location"]
        assert "/compte/connexion/" in location or "/admin/login/" in location, f"{path} redirected to {location}"


# Pages a user who owes a second factor may open before giving it.
SECOND_FACTOR_EXEMPT_NAMES = {"accounts:otp_verify", "accounts:otp_enrol", "accounts:logout"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pattern", "name"),
    [(p, n) for p, n in protected_urls() if n not in SECOND_FACTOR_EXEMPT_NAMES],
    ids=lambda v: str(v),
)
def test_staff_without_second_factor_reach_nothing(client, pattern: str, name: str) -> None:
    """A coordinator who typed only the password is sent to the TOTP page by every URL."""
    from tests.factories.accounts import UserFactory
    from tests.helpers import login

    login(client, UserFactory(roles=["coordinator"], is_staff=True), verified=False)
    path = _sample_path(pattern)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 302, f"{method.upper()} {path} ({name}) answered {response.status_code}"
        assert response["Location"].startswith("/compte/double-authentification/"), response["Location"]
