"""Writes of the exports: the fiche PDF they embed, and the sending of the XDM package over MSSanté (the outbox).

Sending writes one outbox row per recipient (the requester, the patient's GP: those whose MSSanté address is known),
each with its own stored copy of the package, through the "mssante" relay (settings.EMAIL_RELAYS); the outbox
delivers after commit and deletes the copies once sent. The same package to the same address is sent once.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.messages import case_link
from cases.models import Avis
from meetings.documents.models import GeneratedDocument
from meetings.documents.services import document_ensure
from tigre.accounts.models import User
from tigre.notifications.services import Attachment, Message, notify_many

from .frcp import frcp_document
from .selectors import (
    ExportData,
    ExportRefused,
    MssanteRecipient,
    avis_export_data,
    mssante_configured,
    mssante_recipients,
)
from .xdm import xdm_package

KIND_MSSANTE = "mssante_fiche"
STORAGE_FOLDER = "exports/mssante"


def fiche_pdf_bytes(data: ExportData) -> bytes:
    """The signed fiche's PDF (made now if the stored one is stale); empty if it could not be rendered."""
    document = document_ensure(kind=GeneratedDocument.Kind.FICHE, meeting=data.meeting, case=data.case)
    if not document.is_ready:
        return b""
    with document.file.open("rb") as handle:
        return handle.read()


def pdf_filename(data: ExportData) -> str:
    day = timezone.localtime(data.meeting.starts_at).strftime("%Y-%m-%d")
    return f"fiche-rcp-{data.reference}-{day}.pdf"


@dataclass(frozen=True)
class Sent:
    recipient: MssanteRecipient
    queued: bool  # False: the same package had already been sent to this address


@transaction.atomic
def mssante_send(*, avis: Avis, by: User) -> list[Sent]:
    """Queue the fiche (IHE_XDM.ZIP and its PDF) to the requester and the GP over MSSanté.

    Refuses (ExportRefused, French reasons) an avis whose exports may not be produced, a case with no known MSSanté
    address, and an installation with no MSSanté relay."""
    if not mssante_configured():
        raise ExportRefused([_("La messagerie sécurisée (MSSanté) n'est pas configurée sur ce serveur.")])
    data = avis_export_data(avis)
    recipients = mssante_recipients(data.case)
    if not recipients:
        raise ExportRefused(
            [
                _(
                    "Aucune adresse de messagerie sécurisée n'est connue : ni le médecin demandeur (son profil) ni le "
                    "médecin traitant (la demande) n'en ont."
                )
            ]
        )
    pdf = fiche_pdf_bytes(data)
    frcp = frcp_document(data, pdf=pdf)
    package = xdm_package(data, frcp=frcp, pdf=pdf, recipients=[r.address for r in recipients])
    digest = hashlib.sha256(frcp + pdf).hexdigest()[:16]
    day = timezone.localtime(data.meeting.starts_at)
    patient = data.patient
    birth = f", né(e) le {patient.birth_date:%d/%m/%Y}" if patient.birth_date else ""
    messages: list[Message] = []
    stored: dict[str, list[str]] = {}
    for recipient in recipients:
        folder = f"{STORAGE_FOLDER}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
        paths = [
            default_storage.save(f"{folder}/IHE_XDM.ZIP", ContentFile(package)),
            default_storage.save(f"{folder}/{pdf_filename(data)}", ContentFile(pdf)) if pdf else "",
        ]
        stored[recipient.address.lower()] = [p for p in paths if p]
        attachments = [Attachment(paths[0], "IHE_XDM.ZIP", "application/zip")]
        if pdf:
            attachments.insert(0, Attachment(paths[1], pdf_filename(data), "application/pdf"))
        messages.append(
            Message(
                recipient=recipient.user,
                address=recipient.address,
                key=f"avis{avis.pk}:{digest}",
                subject=_("Fiche RCP TIGRE %(reference)s — RCP du %(day)s")
                % {"reference": data.reference, "day": f"{day:%d/%m/%Y}"},
                about=avis,
                link=case_link(data.case),  # the requester's in-app list opens the case
                relay="mssante",
                attachments=attachments,
                context={
                    "addressee": recipient.name,
                    "patient": f"{patient.full_name}{birth}",
                    "reference": data.reference,
                    "meeting_date": f"{day:%d/%m/%Y}",
                    "pdf_name": pdf_filename(data),
                    "sent_by": by.display_name,
                },
            )
        )
    created = {
        row.to_address.lower()
        for row in notify_many(kind=KIND_MSSANTE, template="emails/mssante_fiche", messages=messages)
    }
    for address, paths in stored.items():
        if address not in created:  # already sent: the copies made for it are not needed
            for path in paths:
                default_storage.delete(path)
    return [Sent(recipient=r, queued=r.address.lower() in created) for r in recipients]
