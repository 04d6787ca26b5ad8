"""The urgent TAG track (DOMAIN.md section 6): alert at once, acknowledge, escalate, urgent opinion."""

from __future__ import annotations

from typing import Any

from tigre.accounts.models import User
from tigre.accounts.roles import Role

from .models import Kind
from .services import notify


def urgent_case_alert(*, case: Any) -> None:
    """Alert the people who must hear of an urgent request at once. Called inside the submit transaction."""
    recipients = User.objects.filter(is_active=True, groups__name__in=[Role.COORDINATOR, Role.SECRETARIAT]).distinct()
    notify(kind=Kind.URGENT_ALERT, recipients=recipients, key=f"case{case.pk}", case=case)
