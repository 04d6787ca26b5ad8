"""The navigation: each role sees what it may use. One list, read by the context processor."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from tigre.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    roles: frozenset[str]
    icon: str = ""
    # Secondary pages live in the user menu, so the bar fits a 1366-pixel screen for someone holding every role.
    secondary: bool = False


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Mes demandes"), "cases:my_cases", frozenset({Role.CLINICIAN, Role.REFERENT}), "folder2-open"),
    NavItem(_("Nouvelle demande"), "cases:create", frozenset({Role.CLINICIAN, Role.REFERENT}), "plus-circle"),
    NavItem(_("Tri des demandes"), "cases:triage", frozenset({Role.SECRETARIAT, Role.COORDINATOR}), "inboxes"),
    NavItem(
        _("Urgences (TAG)"),
        "urgent:list",
        frozenset({Role.COORDINATOR, Role.REFERENT, Role.SECRETARIAT}),
        "exclamation-octagon",
    ),
    NavItem(_("Réunions"), "meetings:list", frozenset({Role.SECRETARIAT, Role.COORDINATOR}), "calendar-week"),
    NavItem(
        _("Mes réunions"), "meetings:my_meetings", frozenset({Role.REFERENT, Role.PHARMACOVIGILANCE}), "calendar-check"
    ),
    NavItem(
        _("Annuaire"),
        "referents:directory",
        frozenset(
            {
                Role.CLINICIAN,
                Role.SECRETARIAT,
                Role.COORDINATOR,
                Role.REFERENT,
                Role.PHARMACOVIGILANCE,
                Role.ADMINISTRATOR,
            }
        ),
        "people",
    ),
    NavItem(_("Couverture"), "referents:coverage", frozenset({Role.SECRETARIAT, Role.COORDINATOR}), "grid-3x3", True),
    NavItem(
        _("Pharmacovigilance"),
        "pharmacovigilance:list",
        frozenset({Role.PHARMACOVIGILANCE, Role.COORDINATOR}),
        "capsule",
    ),
    NavItem(
        _("Registre"),
        "pharmacovigilance:registry",
        frozenset({Role.PHARMACOVIGILANCE, Role.COORDINATOR}),
        "bar-chart",
        True,
    ),
    NavItem(
        _("Activité"),
        "statistics:dashboard",
        frozenset({Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE}),
        "graph-up",
        True,
    ),
    NavItem(
        _("Journal des accès"), "privacy:log", frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}), "shield-lock", True
    ),
    NavItem(
        _("Demandes d'accès PSC"),
        "accounts:psc_requests",
        frozenset({Role.SECRETARIAT, Role.ADMINISTRATOR}),
        "person-plus",
        True,
    ),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMINISTRATOR}), "gear", True),
)


@lru_cache(maxsize=512)
def _url(url_name: str, prefix: str, urlconf: str | None) -> str:
    """A page's address: fixed for a given URL configuration and script prefix, so reversed once."""
    return reverse(url_name, urlconf=urlconf)


def visible_items(user: Any, view_name: str = "") -> list[dict[str, Any]]:
    """The pages ``user`` may open, labels in the active language; ``active`` marks the page being shown."""
    if not getattr(user, "is_authenticated", False):
        return []
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    return [
        {
            "label": str(item.label),
            "url": _url(item.url_name, prefix, urlconf),
            "icon": item.icon,
            "url_name": item.url_name,
            "secondary": item.secondary,
            "active": item.url_name == view_name,
        }
        for item in NAV_ITEMS
        if user.roles & item.roles
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    items = visible_items(request.user, match.view_name if match else "")
    return {
        "nav_all": items,
        "nav_items": [i for i in items if not i["secondary"]],
        "nav_more": [i for i in items if i["secondary"]],
    }
