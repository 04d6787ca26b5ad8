"""Downloads of the meeting PDFs (access checked, every download traced) and the htmx status panels."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case
from cases.privacy import policy
from meetings.exports.selectors import case_e2b, case_exports
from meetings.models import Meeting
from meetings.selectors import meeting_or_404
from tigre.accounts.decorators import AuthenticatedRequest
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed_ids

from . import selectors as sel
from . import services
from .models import GeneratedDocument

Kind = GeneratedDocument.Kind
POLL_SECONDS = 3


def _deliver(
    request: AuthenticatedRequest,
    meeting: Meeting,
    document: GeneratedDocument,
    *,
    filename: str,
    target: str,
    case: Case | None = None,
) -> HttpResponseBase:
    """The stored PDF, its download traced; or the "en préparation" page while it is not ready."""
    if not document.is_ready:
        return _preparing(request, meeting, document)
    if case is not None:
        access_record(request=request, action=AccessLog.Action.DOWNLOAD_PDF, case=case, target=target)
    else:  # a meeting's document: one trail row per request it contains (docs/domain.md#access-trail)
        access_record_listed_ids(
            request=request, pairs=sel.meeting_case_pairs(meeting), target=target, action=AccessLog.Action.DOWNLOAD_PDF
        )
    response = FileResponse(document.file.open("rb"), content_type="application/pdf", filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _day(meeting: Meeting) -> str:
    return timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")


def _preparing(request: HttpRequest, meeting: Meeting, document: GeneratedDocument) -> HttpResponseBase:
    """The "en préparation" page: it polls the panel, which turns into the download link when ready."""
    failed = document.status == GeneratedDocument.Status.FAILED
    return render(
        request,
        "documents/preparing.html",
        {"meeting": meeting, "document": document, "panel": _meeting_states(request.user, meeting)},
        status=503 if failed else 202,
    )


@require_GET
@never_cache
def agenda_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    meeting = sel.meeting_for_agenda(request.user, pk)
    if meeting.items.count() <= services.SYNC_AGENDA_MAX_ITEMS:
        document = services.document_ensure(kind=Kind.AGENDA, meeting=meeting)
    else:
        document = services.document_request(kind=Kind.AGENDA, meeting=meeting)
    return _deliver(
        request,
        meeting,
        document,
        filename=f"ordre-du-jour-rcp-tigre-{_day(meeting)}.pdf",
        target=f"Ordre du jour, {meeting}",
    )


@require_GET
@never_cache
def minutes_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    meeting = sel.meeting_for_minutes(request.user, pk)
    document = services.document_request(kind=Kind.MINUTES, meeting=meeting)
    return _deliver(
        request,
        meeting,
        document,
        filename=f"compte-rendu-rcp-tigre-{_day(meeting)}.pdf",
        target=f"Compte rendu, {meeting}",
    )


@require_GET
@never_cache
def fiche_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    avis = sel.avis_for_user(request.user, pk)
    case = avis.case
    meeting = avis.agenda_item.meeting
    filename = f"fiche-rcp-{case.reference or case.pk}-{_day(meeting)}.pdf"
    target = f"Fiche RCP {case.reference or case.pk}, {meeting}"
    if not policy.sees_identity(request.user, case):
        # The pseudonymised fiche (docs/privacy.md#what-each-role-sees), made for this download.
        pdf = services.fiche_pseudonymised_render(avis=avis)
        access_record(request=request, action=AccessLog.Action.DOWNLOAD_PDF, case=case, target=target)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
    document = services.document_ensure(kind=Kind.FICHE, meeting=meeting, case=case)
    return _deliver(request, meeting, document, filename=filename, target=target, case=case)


# --- Panels (htmx) -----------------------------------------------------------------------------------------------


def _meeting_states(user: Any, meeting: Meeting) -> list[dict[str, Any]]:
    """The documents of a meeting this user may download, each ready, in preparation or failed."""
    states: list[dict[str, Any]] = []
    if sel.can_download_agenda(user, meeting):
        count = meeting.items.count()
        entry: dict[str, Any] = {
            "kind": Kind.AGENDA.value,
            "label": Kind.AGENDA.label,
            "url": reverse("documents:agenda_pdf", args=[meeting.pk]),
            "count": count,
        }
        if count == 0:
            entry["empty"] = True
        elif count <= services.SYNC_AGENDA_MAX_ITEMS:
            entry["ready"] = True  # made while the user waits on the download link
        else:
            entry.update(_async_state(services.document_request(kind=Kind.AGENDA, meeting=meeting)))
        states.append(entry)
    if meeting.status == Meeting.Status.VALIDATED and sel.can_download_minutes(user, meeting):
        entry = {
            "kind": Kind.MINUTES.value,
            "label": Kind.MINUTES.label,
            "url": reverse("documents:minutes_pdf", args=[meeting.pk]),
        }
        entry.update(_async_state(services.document_request(kind=Kind.MINUTES, meeting=meeting)))
        states.append(entry)
    return states


def _async_state(document: GeneratedDocument) -> dict[str, Any]:
    return {
        "ready": document.is_ready,
        "pending": document.status == GeneratedDocument.Status.PENDING,
        "failed": document.status == GeneratedDocument.Status.FAILED,
        "document": document,
    }


def _panel(request: AuthenticatedRequest, meeting: Meeting) -> HttpResponseBase:
    states = _meeting_states(request.user, meeting)
    return render(
        request,
        "documents/_meeting_panel.html",
        {
            "meeting": meeting,
            "states": states,
            "fiches": sel.fiches_for_meeting(request.user, meeting),
            "polling": any(s.get("pending") for s in states),
            "poll_seconds": POLL_SECONDS,
        },
    )


@require_GET
@never_cache
def meeting_panel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _panel(request, meeting_or_404(pk))


@require_POST
def retry(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponseBase:
    """Queue a failed agenda or minutes again (after a fix, or a transient failure)."""
    meeting = meeting_or_404(pk)
    if kind == Kind.AGENDA:
        sel.meeting_for_agenda(request.user, pk)
    elif kind == Kind.MINUTES:
        sel.meeting_for_minutes(request.user, pk)
    else:
        raise Http404
    services.document_request(kind=kind, meeting=meeting, retry=True)
    return _panel(request, meeting)


def _with_exports(user: Any, case: Case, fiches: list[Any]) -> list[tuple[Any, Any]]:
    exports = {row.avis.pk: row for row in case_exports(user, case, fiches)}
    return [(avis, exports.get(avis.pk)) for avis in fiches]


@require_GET
@never_cache
def case_panel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    case = sel.case_for_panel(request.user, pk)
    fiches = list(sel.fiches_for_case(request.user, case))
    return render(
        request,
        "documents/_case_panel.html",
        {
            "case": case,
            "fiches": fiches,
            # Each fiche with its structured exports, and the CRPV's E2B file (meetings/exports).
            "fiche_rows": _with_exports(request.user, case, fiches),
            "e2b": case_e2b(request.user, case),
        },
    )
