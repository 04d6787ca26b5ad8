"""Reads of the pharmacovigilance follow-up."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import PvFollowUp, PvStatus


def overdue_to_declare(*, older_than_days: int) -> QuerySet[PvFollowUp]:
    """Follow-ups "to declare" for more than ``older_than_days`` days, oldest first.

    Toxicity, its event (and organ category), case, patient and requester are loaded.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return (
        PvFollowUp.objects.filter(status=PvStatus.TO_DECLARE, status_changed_at__lt=cutoff)
        .select_related(
            "toxicity",
            "toxicity__event",
            "toxicity__event__category",
            "toxicity__case",
            "toxicity__case__patient",
            "toxicity__case__requester",
        )
        .order_by("status_changed_at", "pk")
    )
