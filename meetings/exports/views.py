"""Downloads of the structured exports of a validated avis, under the fiche PDF's access rules, each written to the
access trail; and the MSSanté sending (thin views: the selectors decide, the services write)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases.models import Avis
from tigre.accounts.decorators import AuthenticatedRequest
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record

from . import selectors as sel
from . import services
from .fhir import fhir_bundle
from .frcp import frcp_document
from .xdm import xdm_package

REFUSED_STATUS = 409  # the request is understood, the data does not allow the export (yet)


def _refused(request: HttpRequest, avis: Avis, refusal: sel.ExportRefused) -> HttpResponse:
    return render(
        request,
        "exports/refused.html",
        {"avis": avis, "case": avis.case, "reasons": refusal.reasons},
        status=REFUSED_STATUS,
    )


def _filename(data: sel.ExportData, extension: str) -> str:
    day = timezone.localtime(data.meeting.starts_at).strftime("%Y-%m-%d")
    return f"fiche-rcp-{data.reference}-{day}.{extension}"


def _download(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _export(request: AuthenticatedRequest, pk: int | str, label: str) -> tuple[Avis, sel.ExportData | HttpResponse]:
    avis = sel.avis_for_export(request.user, pk)
    try:
        data = sel.avis_export_data(avis)
    except sel.ExportRefused as refusal:
        return avis, _refused(request, avis, refusal)
    access_record(request=request, action=AccessLog.Action.EXPORT, case=avis.case, target=f"{label} {data.reference}")
    return avis, data


@require_GET
@never_cache
def frcp_xml(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The FRCP (CDA R2 N3, CI-SIS volet CANCER-FRCP 2022.01), the fiche PDF inside."""
    _avis, data = _export(request, pk, "FRCP (CDA R2)")
    if isinstance(data, HttpResponse):
        return data
    xml = frcp_document(data, pdf=services.fiche_pdf_bytes(data))
    return _download(xml, "application/xml; charset=utf-8", _filename(data, "xml"))


@require_GET
@never_cache
def fhir_json(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The FHIR R4 Bundle, read only."""
    _avis, data = _export(request, pk, "FHIR R4")
    if isinstance(data, HttpResponse):
        return data
    body = json.dumps(fhir_bundle(data), ensure_ascii=False, indent=2).encode("utf-8")
    return _download(
        body, "application/fhir+json; fhirVersion=4.0; charset=utf-8", _filename(data, "json"), inline=True
    )


@require_GET
@never_cache
def xdm_zip(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The IHE XDM package a secure messaging client sends as is."""
    _avis, data = _export(request, pk, "IHE XDM (MSSanté)")
    if isinstance(data, HttpResponse):
        return data
    pdf = services.fiche_pdf_bytes(data)
    package = xdm_package(data, frcp=frcp_document(data, pdf=pdf), pdf=pdf)
    return _download(package, "application/zip", "IHE_XDM.ZIP")


@require_POST
def mssante_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send the fiche to the requester and the GP over MSSanté (coordinators, secretariat)."""
    if not sel.can_send_mssante(request.user):
        raise PermissionDenied
    avis = sel.avis_for_export(request.user, pk)
    try:
        sent = services.mssante_send(avis=avis, by=request.user)  # type: ignore[arg-type]
    except sel.ExportRefused as refusal:
        for reason in refusal.reasons:
            messages.error(request, reason)
        return redirect("cases:detail", avis.case_id)
    access_record(
        request=request,
        action=AccessLog.Action.EXPORT,
        case=avis.case,
        target=f"Envoi MSSanté {avis.case.reference or avis.case_id}",
    )
    for item in sent:
        values = {"who": item.recipient.name, "label": item.recipient.label, "address": item.recipient.address}
        if item.queued:
            messages.success(request, _("Fiche RCP envoyée par MSSanté à %(who)s (%(label)s, %(address)s).") % values)
        else:
            messages.info(
                request,
                _("Cette fiche avait déjà été envoyée à %(who)s (%(label)s, %(address)s) : pas de nouvel envoi.")
                % values,
            )
    return redirect("cases:detail", avis.case_id)
