"""What the messages about a request say: their kinds, subjects, links and context (docs/architecture.md).

No patient name ever leaves the app by e-mail: the context carries the request's reference and the patient's
pseudonym (initials and year of birth) only. Each kind's e-mails are ``templates/emails/<kind>.{txt,html}``.
Subjects are written in French, the language of every e-mail, whatever the sender's own language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tigre.accounts.models import User
from tigre.notifications.models import Notification
from tigre.notifications.services import Message, notify_many

from .models import Case


class Kind(models.TextChoices):
    """The messages this app sends (codes stored in the outbox)."""

    REQUEST_RECEIVED = "request_received", _("Demande reçue")
    INFO_REQUESTED = "info_requested", _("Informations demandées")
    INFO_ANSWERED = "info_answered", _("Réponse du demandeur")
    DECLINED = "declined", _("Demande refusée")
    URGENT_ALERT = "urgent_alert", _("Alerte : demande urgente")
    URGENT_ACKNOWLEDGED = "urgent_acknowledged", _("Demande urgente prise en charge")
    URGENT_OPINION = "urgent_opinion", _("Avis urgent rendu")
    URGENT_ESCALATION = "urgent_escalation", _("Escalade : demande urgente non prise en charge")
    PV_REMINDER = "pv_reminder", _("Rappel : déclarations de pharmacovigilance en attente")
    FOLLOW_UP = "follow_up", _("Suivi de l'avis à la date de réévaluation")


SUBJECTS: dict[str, Any] = {
    Kind.REQUEST_RECEIVED: _("Demande %(ref)s reçue"),
    Kind.INFO_REQUESTED: _("Demande %(ref)s : informations demandées"),
    Kind.INFO_ANSWERED: _("Demande %(ref)s : le demandeur a répondu"),
    Kind.DECLINED: _("Demande %(ref)s non retenue"),
    Kind.URGENT_ALERT: _("URGENT — demande %(ref)s à prendre en charge"),
    Kind.URGENT_ACKNOWLEDGED: _("Demande urgente %(ref)s prise en charge"),
    Kind.URGENT_OPINION: _("Avis urgent rendu pour la demande %(ref)s"),
    Kind.URGENT_ESCALATION: _("ESCALADE — demande urgente %(ref)s toujours sans prise en charge"),
    Kind.FOLLOW_UP: _("Demande %(ref)s : l'avis de la RCP a-t-il été appliqué ?"),
}


def in_french(text: Any, **values: Any) -> str:
    """A (lazy) message rendered in the language of the e-mails, with its %-placeholders filled."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text) % values if values else str(text)


def when(value: Any) -> str:
    """A moment as the e-mails write it: "2 décembre 2026 à 17:00" (Europe/Paris)."""
    if not value:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return date_format(timezone.localtime(value), "j F Y à H:i")


def case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def case_context(case: Case) -> dict[str, Any]:
    """What every message about a request may say of it."""
    return {"reference": case.reference or "", "pseudonym": case.patient.pseudonym, "case_id": case.pk}


def case_message(
    *,
    kind: str,
    case: Case,
    recipient: User,
    key: str = "",
    subject: Any = None,
    subject_values: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    link: str | Callable[[User], str] = "",
) -> Message:
    """One message about a request to one recipient: its reference and pseudonym in the context, its page as the
    link (unless ``link`` says otherwise, possibly per recipient).

    ``subject`` defaults to the kind's subject in ``SUBJECTS``; ``%(ref)s`` is the reference, other placeholders
    come from ``subject_values``. ``key`` defaults to the request (one message of this kind per request and
    recipient)."""
    ref = case.reference or in_french(_("brouillon"))
    values = {"ref": ref, **(subject_values or {})}
    return Message(
        recipient=recipient,
        key=key or f"case{case.pk}",
        subject=in_french(subject if subject is not None else SUBJECTS[kind], **values),
        about=case,
        link=(link(recipient) if callable(link) else link) or case_link(case),
        context={**case_context(case), **(context or {})},
    )


def notify_case(
    *,
    kind: str,
    case: Case,
    recipients: Iterable[User | None],
    template: str = "",
    actor: User | None = None,
    **message: Any,
) -> list[Notification]:
    """``case_message`` to each recipient (the same keyword arguments), written to the outbox; ``actor``'s own
    copy is a receipt, e-mailed only."""
    return notify_many(
        kind=kind,
        template=template,
        actor=actor,
        messages=[
            case_message(kind=kind, case=case, recipient=user, **message) for user in recipients if user is not None
        ],
    )
