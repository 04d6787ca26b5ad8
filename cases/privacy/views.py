"""The access trail page and the patient export (coordinators and administrators)."""

from __future__ import annotations

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
from tigre.audit.services import access_record

from .filters import AccessLogFilter
from .forms import PatientLookupForm
from .gdpr import export_json, patient_export, patient_find
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
@role_required(Role.COORDINATOR, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def patient_export_view(request: AuthenticatedRequest) -> HttpResponse:
    """Right of access: find the patient (case reference or INS), then download everything held as JSON.
    The download is recorded in the access trail (EXPORT)."""
    form = PatientLookupForm(request.POST or request.GET or None)
    patient = None
    if form.is_bound and form.is_valid():
        patient = patient_find(form.cleaned_data["query"])
        if patient is None:
            form.add_error("query", _("Aucun patient ne correspond à cette référence ou à cet INS."))
    if request.method == "POST" and patient is not None:
        data = patient_export(patient=patient, by=request.user)
        access_record(
            request=request, action=AccessLog.Action.EXPORT, patient=patient, target=_("Export RGPD du patient")
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(export_json(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tigre-export-patient-{patient.pk}-{stamp}.json"'
        return response
    cases = list(patient.cases.order_by("created_at").only("reference", "status", "created_at")) if patient else []
    return render(request, "cases/privacy/patient_export.html", {"form": form, "patient": patient, "cases": cases})
