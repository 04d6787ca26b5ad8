"""Writes of the documents app: request, generate and store the meeting PDFs (idempotent by fingerprint)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cases.models import Avis, Case
from meetings.models import Meeting
from tigre.celery import publish
from tigre.pdf.rendering import PdfRenderingError, render_pdf_pages

from .models import GeneratedDocument
from .selectors import TEMPLATES, document_data, fiche_document_data, fingerprint

logger = logging.getLogger(__name__)

# A queued generation not finished after this long is queued again (lost worker, broker restart).
PENDING_TIMEOUT = dt.timedelta(minutes=10)
# Agendas up to this many items are made while the user waits; bigger ones by the worker.
SYNC_AGENDA_MAX_ITEMS = 15
# The worker's task (tasks.py), sent by its name: tasks.py calls this module, so this module cannot import it.
GENERATE_TASK = "documents.generate_document"
AFTER_VALIDATION_TASK = "documents.after_validation"


def generation_enqueue(document_id: int) -> None:
    """Hand one document's generation to the worker (``document_generate`` there)."""
    publish(GENERATE_TASK, document_id)


def _row(*, kind: str, meeting: Meeting, case: Case | None) -> GeneratedDocument:
    """The document's row, locked (created if missing; concurrent creators meet on the unique constraint)."""
    GeneratedDocument.objects.get_or_create(kind=kind, meeting=meeting, case=case)
    return GeneratedDocument.objects.select_for_update().get(kind=kind, meeting=meeting, case=case)


def _file_name(document: GeneratedDocument, data: dict[str, Any], digest: str) -> str:
    # Reference and date only: no patient name in a file name.
    day = data["meeting"]["starts_at"].strftime("%Y-%m-%d")
    ref = f"-{data['reference']}" if data.get("reference") else ""
    return f"{document.kind}-{day}{ref}-{digest[:10]}.pdf"


def _is_current(document: GeneratedDocument, digest: str) -> bool:
    return document.is_ready and document.fingerprint == digest and document.file.storage.exists(document.file.name)


@transaction.atomic
def document_request(
    *, kind: str, meeting: Meeting, case: Case | None = None, retry: bool = False
) -> GeneratedDocument:
    """Make sure a current PDF is stored or on its way: enqueue its generation after commit if needed.

    Does nothing when the stored file matches the data, when a generation is already queued, or (unless
    ``retry``) when the last attempt on the same data failed.
    """
    document = _row(kind=kind, meeting=meeting, case=case)
    digest = fingerprint(document_data(kind=kind, meeting=meeting, case=case))
    if _is_current(document, digest):
        return document
    now = timezone.now()
    if document.status == GeneratedDocument.Status.FAILED and document.fingerprint == digest and not retry:
        return document
    if (
        document.status == GeneratedDocument.Status.PENDING
        and document.requested_at
        and now - document.requested_at < PENDING_TIMEOUT
    ):
        return document
    document.status = GeneratedDocument.Status.PENDING
    document.requested_at = now
    document.error = ""
    document.save(update_fields=["status", "requested_at", "error", "updated_at"])
    document_id = document.pk
    transaction.on_commit(lambda: generation_enqueue(document_id))
    return document


@transaction.atomic
def document_generate(*, document_id: int) -> GeneratedDocument:
    """Render and store a document's PDF unless the stored one already matches its data (idempotent)."""
    document = (
        GeneratedDocument.objects.select_for_update(of=("self",)).select_related("meeting", "case").get(pk=document_id)
    )
    data = document_data(kind=document.kind, meeting=document.meeting, case=document.case)
    digest = fingerprint(data)
    if _is_current(document, digest):
        return document
    template_name, stylesheet = TEMPLATES[GeneratedDocument.Kind(document.kind)]
    started = time.monotonic()
    try:
        pdf, pages = render_pdf_pages(template_name=template_name, context={"doc": data}, stylesheet=stylesheet)
    except PdfRenderingError as exc:
        document.status = GeneratedDocument.Status.FAILED
        document.fingerprint = digest
        document.error = str(exc)[:2000]
        document.save(update_fields=["status", "fingerprint", "error", "updated_at"])
        return document
    elapsed_ms = int((time.monotonic() - started) * 1000)
    old_name = document.file.name if document.file else ""
    document.file.save(_file_name(document, data, digest), ContentFile(pdf), save=False)
    document.status = GeneratedDocument.Status.READY
    document.fingerprint = digest
    document.size = len(pdf)
    document.pages = pages
    document.render_ms = elapsed_ms
    document.error = ""
    document.generated_at = timezone.now()
    document.save(
        update_fields=[
            "file",
            "status",
            "fingerprint",
            "size",
            "pages",
            "render_ms",
            "error",
            "generated_at",
            "updated_at",
        ]
    )
    logger.info("Document %s (%s) stored: %s pages in %s ms", document.pk, document.kind, pages, elapsed_ms)
    if old_name and old_name != document.file.name:
        storage = document.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return document


def document_ensure(*, kind: str, meeting: Meeting, case: Case | None = None) -> GeneratedDocument:
    """A current stored PDF, made now if needed (the fiche, a small agenda): the user waits for it."""
    with transaction.atomic():
        document = _row(kind=kind, meeting=meeting, case=case)
    return document_generate(document_id=document.pk)


def fiche_pseudonymised_render(*, avis: Avis) -> bytes:
    """The fiche of ``avis`` without the patient's identity, for a reader the policy shows only the pseudonym
    (docs/privacy.md#what-each-role-sees). Rendered on each download and never stored: the stored fiche is the
    identified one, which goes into the patient's record."""
    template_name, stylesheet = TEMPLATES[GeneratedDocument.Kind.FICHE]
    data = fiche_document_data(avis, identified=False)
    pdf, _pages = render_pdf_pages(template_name=template_name, context={"doc": data}, stylesheet=stylesheet)
    return pdf


def documents_after_validation(*, meeting_id: int) -> int:
    """Once a meeting is validated: its minutes and the final fiche of each validated avis (no more PROJET
    watermark) are queued, so that the coordinators' and requesters' downloads are ready. Returns how many
    documents were queued (those already current are left alone)."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.VALIDATED).first()
    if meeting is None:  # gone, or not validated (a stale message): nothing to prepare
        return 0
    queued = [document_request(kind=GeneratedDocument.Kind.MINUTES, meeting=meeting)]
    for avis in Avis.objects.filter(agenda_item__meeting=meeting, state=Avis.State.VALIDATED).select_related("case"):
        queued.append(document_request(kind=GeneratedDocument.Kind.FICHE, meeting=meeting, case=avis.case))
    return sum(1 for document in queued if document.status == GeneratedDocument.Status.PENDING)
