"""Reads of the access trail for its page (coordinators and administrators only: the views check the role).

The trail (tigre.audit) names requests and patients by id; this page puts their reference and pseudonym back."""

from __future__ import annotations

from django.db.models import QuerySet

from tigre.audit.models import AccessLog

from ..models import Case, Patient


def access_log_rows() -> QuerySet[AccessLog]:
    """The trail, newest first, with the user joined (one query per page whatever its length); the page's
    filters (``filters.AccessLogFilter``) narrow it."""
    return AccessLog.objects.select_related("user").order_by("-at", "-pk")


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
