from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AccessLog


def client_ip(request: HttpRequest) -> str | None:
    # Behind the production reverse proxy REMOTE_ADDR is the proxy; it sets X-Forwarded-For.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or None) if forwarded else request.META.get("REMOTE_ADDR")


def access_record(
    *, request: HttpRequest, action: str, case: Any = None, patient: Any = None, target: str = ""
) -> AccessLog:
    """Write one row of the access trail (who, what, which case/patient, when, from where)."""
    patient_id = case.patient_id if patient is None and case is not None else getattr(patient, "pk", None)
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        case_id=getattr(case, "pk", None),
        patient_id=patient_id,
        target=target[:200],
        ip_address=client_ip(request),
        path=request.path[:300],
    )
