"""Writes on accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone


def user_sessions_end(*, user: Any) -> int:
    """Delete every live server-side session of ``user`` (database session engine). Returns how many."""
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: Any) -> None:
    """Deactivate an account and end its sessions at once (not at their next expiry)."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user_sessions_end(user=user)
