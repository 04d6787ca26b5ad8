"""The outbox: every message the app sends is first a row here, written with the business change."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", _("Demande reçue")
    INFO_REQUESTED = "info_requested", _("Informations demandées")
    INFO_ANSWERED = "info_answered", _("Réponse du demandeur")
    SCHEDULED = "scheduled", _("Demande inscrite à une RCP")
    POSTPONED = "postponed", _("Demande reportée")
    DECLINED = "declined", _("Demande refusée")
    AVIS_AVAILABLE = "avis_available", _("Avis disponible")
    AGENDA_PUBLISHED = "agenda_published", _("Ordre du jour publié")
    MEETING_REMINDER = "meeting_reminder", _("Rappel de la RCP de demain")
    URGENT_ALERT = "urgent_alert", _("Alerte : demande urgente")
    URGENT_ACKNOWLEDGED = "urgent_acknowledged", _("Demande urgente prise en charge")
    URGENT_OPINION = "urgent_opinion", _("Avis urgent rendu")
    URGENT_ESCALATION = "urgent_escalation", _("Escalade : demande urgente non prise en charge")
    INCOMPLETE_BEFORE_CUTOFF = "incomplete_before_cutoff", _("Demandes incomplètes avant la date limite")
    CUTOFF_SUMMARY = "cutoff_summary", _("Bilan de la date limite")
    PV_REMINDER = "pv_reminder", _("Rappel : déclarations de pharmacovigilance en attente")


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("destinataire"), on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # Idempotency: one row per (event, recipient); sending twice sends once.
    key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    state = models.CharField(_("état"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Backoff after a temporary failure: the sweep leaves the row alone until then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
