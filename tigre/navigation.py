"""The navigation: each role sees what it may use. One list, read by the context processor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tigre.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    roles: frozenset[str]
    icon: str = ""


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Mes demandes"), "cases:my_cases", frozenset({Role.CLINICIAN, Role.REFERENT}), "folder2-open"),
    NavItem(_("Nouvelle demande"), "cases:create", frozenset({Role.CLINICIAN, Role.REFERENT}), "plus-circle"),
    NavItem(_("Tri des demandes"), "cases:triage", frozenset({Role.SECRETARIAT, Role.COORDINATOR}), "inboxes"),
    NavItem(
        _("Urgences (TAG)"),
        "notifications:urgent_list",
        frozenset({Role.COORDINATOR, Role.REFERENT, Role.SECRETARIAT}),
        "exclamation-octagon",
    ),
    NavItem(_("Réunions"), "meetings:list", frozenset({Role.SECRETARIAT, Role.COORDINATOR}), "calendar-week"),
    NavItem(_("Mes réunions"), "meetings:my_meetings", frozenset({Role.REFERENT}), "calendar-check"),
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
    NavItem(_("Couverture"), "referents:coverage", frozenset({Role.SECRETARIAT, Role.COORDINATOR}), "grid-3x3"),
    NavItem(
        _("Pharmacovigilance"),
        "pharmacovigilance:list",
        frozenset({Role.PHARMACOVIGILANCE, Role.COORDINATOR}),
        "capsule",
    ),
    NavItem(
        _("Registre"), "pharmacovigilance:registry", frozenset({Role.PHARMACOVIGILANCE, Role.COORDINATOR}), "bar-chart"
    ),
    NavItem(_("Journal des accès"), "audit:log", frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}), "shield-lock"),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMINISTRATOR}), "gear"),
)


def visible_items(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for item in NAV_ITEMS:
        if not (user.roles & item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # a page not installed in this build
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "url_name": item.url_name})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": visible_items(request.user)}
