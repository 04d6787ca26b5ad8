"""The access trail page (coordinators and administrators) and the patient export (coordinators)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed

from ..models import Case
from .filters import AccessLogFilter
from .forms import PatientLookupForm
from .gdpr import export_json, patient_export, patients_find
from .selectors import access_log_labelled, access_log_rows

PAGE_SIZE = 50


@role_required(Role.COORDINATOR, Role.ADMINISTRATOR)
@require_http_methods(["GET"])
def access_log(request: HttpRequest) -> HttpResponse:
    filters = AccessLogFilter(request.GET or None, queryset=access_log_rows())
    # Filters that cannot all be read show nothing (a trail search must not look wider than asked), and say why.
    rows = filters.qs if not filters.is_bound or filters.is_valid() else filters.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = access_log_labelled(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/privacy/access_log.html",
        {"form": filters.form, "page": page, "query": query.urlencode(), "retention_days": _retention_days()},
    )


def _retention_days() -> int:
    return int(settings.TIGRE["ACCESS_LOG_RETENTION_DAYS"])


@never_cache
@role_required(Role.COORDINATOR)  # the README's roles: the coordinators (and superusers)
@require_http_methods(["GET", "POST"])
def patient_export_view(request: AuthenticatedRequest) -> HttpResponse:
    """Right of access (docs/privacy.md#gdpr-export): find the person by POST (reference, INS or identity traits)
    with a reason, see their requests, then download everything held as JSON. The search and the export are each
    written to the access trail, one row per request, with the reason."""
    form = PatientLookupForm(request.POST if request.method == "POST" else None)
    patients: list[Any] = []
    if form.is_bound and form.is_valid():
        keys = {k: form.cleaned_data[k] for k in ("reference", "ins", "birth_name", "first_name", "birth_date")}
        patients = patients_find(**keys)
        if not patients:
            form.add_error(None, _("Aucun patient ne correspond à ces critères."))
    cases = list(
        Case.objects.filter(patient__in=patients)
        .order_by("created_at")
        .only("reference", "status", "created_at", "patient_id")
    )
    reason = form.cleaned_data.get("reason", "") if form.is_bound and form.is_valid() else ""
    if patients and request.POST.get("export") == "1":
        data = patient_export(patients=patients, by=request.user)
        _trail(request, patients, cases, AccessLog.Action.EXPORT, _("Export RGPD — motif : %s") % reason)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(export_json(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tigre-export-patient-{patients[0].pk}-{stamp}.json"'
        return response
    if patients:
        _trail(request, patients, cases, AccessLog.Action.VIEW_CASE, _("Recherche RGPD — motif : %s") % reason)
    return render(
        request,
        "cases/privacy/patient_export.html",
        {"form": form, "patient": patients[0] if patients else None, "patients": patients, "cases": cases},
    )


def _trail(request: AuthenticatedRequest, patients: list[Any], cases: list[Case], action: str, target: str) -> None:
    """One row per request found, and one per patient row without a request."""
    access_record_listed(request=request, cases=cases, target=target, action=action)
    with_cases = {c.patient_id for c in cases}
    for patient in patients:
        if patient.pk not in with_cases:
            access_record(request=request, action=action, patient=patient, target=target)
