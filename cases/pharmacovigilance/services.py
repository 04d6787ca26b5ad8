"""Writes of the pharmacovigilance follow-up."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import PvFollowUp, PvStatus


@transaction.atomic
def pv_from_avis(*, avis: Any, by: Any) -> list[PvFollowUp]:
    """Give every toxicity of a discussed case a follow-up; the avis's "declare" flag sets "to declare"."""
    rows = []
    for toxicity in avis.case.toxicities.all():
        follow_up, _created = PvFollowUp.objects.get_or_create(toxicity=toxicity)
        if avis.declare_pv and follow_up.status == PvStatus.TO_ASSESS:
            follow_up.status = PvStatus.TO_DECLARE
            follow_up.status_changed_at = timezone.now()
            follow_up.save(update_fields=["status", "status_changed_at", "updated_at"])
        rows.append(follow_up)
    return rows
