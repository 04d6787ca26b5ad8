"""Reads on accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import PscAccessRequest, PscDevice, User
from .psc import name_key


def psc_accounts_for_rpps(*, rpps: str) -> list[User]:
    """The active accounts holding ``rpps`` (at most two: one is a match, two are an ambiguity)."""
    if not rpps:
        return []
    return list(User.objects.filter(is_active=True, rpps=rpps).order_by("pk")[:2])


def psc_device_for(*, user: User) -> PscDevice | None:
    return PscDevice.objects.filter(user=user).first()


def psc_access_requests(*, status: str | None = None) -> QuerySet[PscAccessRequest]:
    """Access requests, the pending ones first, the most recent first, with who decided and which account."""
    qs = PscAccessRequest.objects.select_related("decided_by", "linked_user")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def psc_access_requests_pending_count() -> int:
    return PscAccessRequest.objects.filter(status=PscAccessRequest.Status.PENDING).count()


def psc_link_candidates(*, access_request: PscAccessRequest) -> tuple[QuerySet[User], list[User]]:
    """The accounts the secretariat may link (active ones), and among them those whose family name is the one PSC
    gave (the likely choice)."""
    accounts = User.objects.filter(is_active=True).select_related("centre").order_by("last_name", "first_name")
    wanted = name_key(access_request.family_name)
    # In Python: names are compared without accents, hyphens or spaces (a regional board has a few hundred accounts).
    same_name = [u for u in accounts if name_key(u.last_name) == wanted]
    return accounts, same_name
