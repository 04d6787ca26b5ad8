"""Reads of the access trail for its page (coordinators and administrators only: the views check the role).

The trail (tigre.audit) names requests and patients by id; this page puts their reference and pseudonym back."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tigre.audit.models import AccessLog

from ..models import Case, Patient


def access_log_search(
    *,
    user: str = "",
    action: str = "",
    case_reference: str = "",
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[AccessLog]:
    """The trail filtered by the log page's (already validated) fields, newest first, with everything each row
    shows joined in (one query per page whatever its length)."""
    qs = AccessLog.objects.select_related("user")
    if user:
        qs = qs.filter(
            Q(user__email__icontains=user) | Q(user__last_name__icontains=user) | Q(user__first_name__icontains=user)
        )
    if action:
        qs = qs.filter(action=action)
    if case_reference:
        qs = qs.filter(case_id__in=Case.objects.filter(reference__icontains=case_reference).values("pk"))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(at__lt=timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), tz))
    return qs.order_by("-at", "-pk")


def access_log_labelled(rows: list[AccessLog]) -> list[AccessLog]:
    """The rows of one page with ``case_reference`` and ``patient_pseudonym`` set (two queries whatever the
    page's length; a request or patient deleted since reads "—")."""
    cases = dict(Case.objects.filter(pk__in={r.case_id for r in rows if r.case_id}).values_list("pk", "reference"))
    patients = {
        p.pk: p.pseudonym
        for p in Patient.objects.filter(pk__in={r.patient_id for r in rows if r.patient_id}).only(
            "birth_name", "first_names", "birth_date"
        )
    }
    for row in rows:
        row.case_reference = cases.get(row.case_id or 0) or ""  # type: ignore[attr-defined]
        row.patient_pseudonym = patients.get(row.patient_id or 0) or ""  # type: ignore[attr-defined]
    return rows
